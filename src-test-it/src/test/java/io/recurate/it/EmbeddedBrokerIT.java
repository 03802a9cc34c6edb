package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The embedded broker itself: a child JVM that keeps its data and its address across restarts. */
class EmbeddedBrokerIT {

    @Test
    void restartedBrokerKeepsItsTopicsAndAddress() throws Exception {
        Path home = TestCluster.workDir().resolve("broker-restart-" + UUID.randomUUID());
        String firstAddress;
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home))) {
            firstAddress = broker.bootstrapServers();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic("kept-across-restart", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        }
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home))) {
            assertThat(broker.bootstrapServers()).isEqualTo(firstAddress);
            try (Admin admin = admin(broker)) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("kept-across-restart");
            }
        }
    }

    @Test
    void stoppedBrokerLeavesNoProcessBehind() {
        Path home = TestCluster.workDir().resolve("broker-stop-" + UUID.randomUUID());
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home));
        long pid = broker.pid();
        broker.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    private static Admin admin(EmbeddedBroker broker) {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
