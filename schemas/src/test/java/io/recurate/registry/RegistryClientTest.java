package io.recurate.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistryClientTest {

    @Test
    void unreachableRegistryIsReportedWithItsAddressAfterEveryAttempt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // free once closed: nothing listens there
        }
        RegistryClient client = new RegistryClient(RegistryConfig.of("http://127.0.0.1:" + closedPort)
                .withRetries(3, Duration.ofMillis(5)));
        assertThatThrownBy(() -> client.schemaById(1))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("http://127.0.0.1:" + closedPort)
                .hasMessageContaining("GET /schemas/ids/1")
                .hasMessageContaining("after 3 attempts");
    }
}
