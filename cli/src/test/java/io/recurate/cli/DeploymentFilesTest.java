package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The deployment files: docker-compose.yml, Grafana provisioning and dashboards. */
class DeploymentFilesTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final String DATASOURCE_UID = "recurate-prometheus";

    static List<Path> dashboards() throws Exception {
        try (Stream<Path> files = Files.list(ROOT.resolve("grafana/dashboards"))) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every PromQL expression of every panel of every dashboard. */
    static List<String> queries() throws Exception {
        List<String> out = new ArrayList<>();
        for (Path file : dashboards()) {
            for (JsonNode panel : new ObjectMapper().readTree(file.toFile()).path("panels")) {
                panel.path("targets").forEach(t -> out.add(t.path("expr").asText()));
            }
        }
        return out;
    }

    @Test
    void dockerComposeFileIsValid() throws Exception {
        boolean installed = new ProcessBuilder("sh", "-c", "command -v docker-compose").start().waitFor() == 0;
        assumeTrue(installed, "docker-compose (Debian's package) is not installed: skipping the compose check");
        Process p = new ProcessBuilder("docker-compose", "-f", ROOT.resolve("docker-compose.yml").toString(), "config", "-q")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    /**
     * The cluster shape of the compose file, as docker-compose resolves it (anchors merged): three brokers, two
     * scorer replicas that share no folder with the trainer, and one topic plan in every recurate container.
     */
    @Test
    void composeRunsTwoScorerReplicasOnThreeBrokersWithOnePlan() throws Exception {
        boolean installed = new ProcessBuilder("sh", "-c", "command -v docker-compose").start().waitFor() == 0;
        assumeTrue(installed, "docker-compose (Debian's package) is not installed: skipping the compose check");
        Process p = new ProcessBuilder("docker-compose", "-f", ROOT.resolve("docker-compose.yml").toString(), "config")
                .start();
        String resolved = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(resolved).path("services");

        assertThat(services.has("kafka-1") && services.has("kafka-2") && services.has("kafka-3")).as(resolved).isTrue();
        JsonNode scorer = services.path("scorer");
        assertThat(scorer.path("deploy").path("replicas").asInt()).isEqualTo(2);
        assertThat(scorer.has("ports")).as("replicas cannot share a host port").isFalse();
        assertThat(scorer.path("volumes").toString()).as("scorers share no folder with the trainer").doesNotContain("models");
        JsonNode plan = services.path("topics").path("environment");
        assertThat(plan.path("RECURATE_REPLICATION").asText()).isEqualTo("3");
        assertThat(plan.path("RECURATE_MIN_INSYNC_REPLICAS").asText()).isEqualTo("2");
        assertThat(plan.path("RECURATE_ARTIFACT_STORE").asText()).isEqualTo("kafka");
        for (String service : List.of("scorer", "scorer-gpu", "trainer")) {
            assertThat(services.path(service).path("environment")).as(service + " uses the topics' plan").isEqualTo(plan);
        }
        String prometheus = Files.readString(ROOT.resolve("grafana/prometheus.yml"));
        assertThat(prometheus).as("every scorer replica is scraped").contains("dns_sd_configs").contains("\"scorer\"");
    }

    @Test
    void dashboardsAreProvisionableAndUseTheProvisionedDatasource() throws Exception {
        String datasources = Files.readString(ROOT.resolve("grafana/provisioning/datasources/prometheus.yml"));
        assertThat(datasources).contains("uid: " + DATASOURCE_UID).contains("type: prometheus");
        assertThat(Files.readString(ROOT.resolve("grafana/provisioning/dashboards/recurate.yml")))
                .contains("path: /var/lib/grafana/dashboards");
        List<Path> files = dashboards();
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactlyInAnyOrder("overview.json", "scorer.json", "trainer.json", "passes.json");
        List<String> uids = new ArrayList<>();
        for (Path file : files) {
            JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
            assertThat(dashboard.path("schemaVersion").asInt()).as(file + " schemaVersion").isGreaterThanOrEqualTo(36);
            assertThat(dashboard.path("uid").asText()).as(file + " uid").isNotBlank();
            assertThat(dashboard.path("title").asText()).as(file + " title").isNotBlank();
            uids.add(dashboard.path("uid").asText());
            assertThat(dashboard.path("panels")).as(file + " panels").isNotEmpty();
            for (JsonNode panel : dashboard.path("panels")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(file + " panel " + panel.path("title"))
                        .isEqualTo(DATASOURCE_UID);
                assertThat(panel.path("gridPos").has("w")).isTrue();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE_UID);
                    assertThat(target.path("expr").asText()).isNotBlank();
                }
            }
        }
        assertThat(uids).doesNotHaveDuplicates();
    }
}
