package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.registry.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** What a user's client properties file (--kafka-config) does: SASL_SSL, mTLS and registry TLS pass through. */
class ClusterOptionsTest {
    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ClusterOptions cluster;
    }

    @Test
    void saslSslMutualTlsAndRegistryTlsSettingsReachTheirClientsAndNoSecretIsDescribed() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.write(file, List.of(
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"kafka-secret\";",
                "ssl.truststore.location=/etc/kafka/truststore.p12",
                "ssl.truststore.password=trust-secret",
                "ssl.keystore.location=/etc/kafka/client.p12",
                "ssl.keystore.password=key-secret",
                "basic.auth.user.info=reg:registry-secret",
                "schema.registry.ssl.truststore.location=/etc/registry/truststore.p12",
                "schema.registry.ssl.truststore.password=registry-trust-secret"));
        Probe probe = new Probe();
        new CommandLine(probe).parseArgs("--kafka-config", file.toString(), "--namespace", "sec");
        ClusterOptions.Cluster cluster = probe.cluster.cluster("broker:9093", "https://registry:8081");

        assertThat(cluster.kafkaConfig()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("ssl.keystore.location", "/etc/kafka/client.p12")
                .containsEntry("ssl.truststore.password", "trust-secret").containsEntry("bootstrap.servers", "broker:9093")
                .doesNotContainKeys("basic.auth.user.info", "schema.registry.ssl.truststore.location");
        assertThat(cluster.registryClientConfig()).containsEntry("basic.auth.user.info", "reg:registry-secret")
                .containsEntry("schema.registry.ssl.truststore.location", "/etc/registry/truststore.p12")
                .doesNotContainKey("security.protocol");
        assertThat(cluster.describe()).contains("security=SASL_SSL").doesNotContain("secret");

        Map<String, Object> registry = new java.util.HashMap<>(cluster.registryClientConfig());
        registry.put(RegistryConfig.URL, cluster.registryUrl());
        RegistryConfig config = RegistryConfig.fromMap(registry);
        assertThat(config.tls().truststore()).isEqualTo(Path.of("/etc/registry/truststore.p12"));
        assertThat(config.toString()).doesNotContain("secret");
    }
}
