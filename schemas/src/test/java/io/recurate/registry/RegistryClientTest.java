package io.recurate.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.recurate.schemas.Document;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;

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

    @Test
    void withNoAttemptLimitARequestWaitsUntilTheRegistryAnswers() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RegistryClient client = new RegistryClient(RegistryConfig.of("http://127.0.0.1:" + port)
                .withRetries(0, Duration.ofMillis(5)));
        CompletableFuture<Schema> answer = CompletableFuture.supplyAsync(() -> client.schemaById(7));
        Thread.sleep(1_500); // many attempts, each refused
        assertThat(answer).as("still waiting while nothing listens").isNotDone();
        HttpServer registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        byte[] body = ("{\"schema\": " + new ObjectMapper().writeValueAsString(Document.getClassSchema().toString()) + "}")
                .getBytes(StandardCharsets.UTF_8);
        registry.createContext("/schemas/ids/7", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        try {
            assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(Document.getClassSchema());
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void aNegativeAttemptLimitIsRefused() {
        assertThatThrownBy(() -> RegistryConfig.of("http://127.0.0.1:1").withRetries(-1, Duration.ofMillis(5)))
                .hasMessageContaining("schema.registry.max.attempts must be 0 (until the registry answers) or more");
    }
}
