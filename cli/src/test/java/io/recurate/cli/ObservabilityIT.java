package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real 2-pass loop with its metrics endpoint, scraped by a real Prometheus (Debian's package); then
 * every PromQL query of every dashboard panel must parse and return data. A panel that would show
 * nothing fails this test.
 */
class ObservabilityIT {
    private static final Path CORPUS = MailCorpus.documents(LoopIT.DOCUMENTS);

    @Test
    void everyDashboardPanelQueryReturnsDataAfterATwoPassLoop() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v prometheus").start().waitFor() == 0,
                "prometheus (Debian's package) is not installed: skipping the dashboard check");
        Path home = Path.of("target", "observability-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(home);
        int metricsPort = freePort();
        int prometheusPort = freePort();
        Files.writeString(home.resolve("prometheus.yml"), String.join("\n",
                "global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: recurate",
                "    static_configs:", "      - targets: ['127.0.0.1:" + metricsPort + "']", ""));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + home.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + home.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(home.resolve("prometheus.log").toFile()).start();
        try {
            assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(constitution, LoopIT.constitutionLines(20, 20, 11));
            String[] result = LoopIT.run("run", "--home", home.toString(), "--namespace", "obs", "--corpus",
                    CORPUS.toString(), "--constitution", constitution.toString(), "--max-passes", "2", "--delta", "0",
                    "--metrics-port", Integer.toString(metricsPort), "--metrics-bind", "127.0.0.1");
            assertThat(result[0]).as(result[2]).isEqualTo("0");
            Thread.sleep(2000);

            List<String> empty = new ArrayList<>();
            List<String> queries = DeploymentFilesTest.queries();
            assertThat(queries).hasSizeGreaterThan(10);
            for (String query : queries) {
                JsonNode answer = query(prometheusPort, query);
                assertThat(answer.path("status").asText()).as("query %s: %s", query, answer).isEqualTo("success");
                if (answer.path("data").path("result").isEmpty()) {
                    empty.add(query);
                }
            }
            assertThat(empty).as("dashboard queries that return no data").isEmpty();
        } finally {
            prometheus.destroy();
            LoopIT.run("down", "--home", home.toString());
        }
    }

    private static JsonNode query(int port, String promql) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
