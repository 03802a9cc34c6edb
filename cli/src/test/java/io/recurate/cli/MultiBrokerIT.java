package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.broker.EmbeddedCluster;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import io.recurate.topics.TopicScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production shape on this machine: 'recurate up --brokers 3' (KRaft, loopback, replication 3,
 * min.insync.replicas 2), 'run' on it with the cluster's own plan and bundles kept in Kafka, and the broker leading
 * the source's first
 * partition killed (SIGKILL) mid-pass and restarted: the loop completes with no manual step and every pass is
 * exactly once (kept ∪ removed = source, no duplicates).
 */
class MultiBrokerIT {
    private static final Path HOME = Path.of("target", "multi-broker-" + System.nanoTime()).toAbsolutePath();
    private static EmbeddedServices.State services;

    @BeforeAll
    static void up() {
        String[] up = LoopIT.run("up", "--home", HOME.toString(), "--brokers", "3");
        assertThat(up[0]).as(up[2]).isEqualTo("0");
        services = new EmbeddedServices(HOME).running().orElseThrow();
        assertThat(services.brokers()).hasSize(3);
    }

    @AfterAll
    static void down() {
        LoopIT.run("down", "--home", HOME.toString());
    }

    @Test
    void aRunOnThreeBrokersSurvivesTheSourceLeadersDeathMidPass() throws Exception {
        Path constitution = HOME.resolve("constitution.jsonl");
        Files.write(constitution, LoopIT.constitutionLines(10, 10, 7));
        Path log = HOME.resolve("run.log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--home", HOME.toString(),
                "--namespace", "m3", "--corpus", MailCorpus.documents(LoopIT.DOCUMENTS).toString(), "--constitution",
                constitution.toString(), "--max-passes", "2", "--metrics-port", "0", "--artifact-store", "kafka"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!Files.readString(log).contains("Pass 1: scoring") && System.nanoTime() < deadline) {
                assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
                Thread.sleep(100);
            }
            int leader;
            try (Admin admin = Admin.create(kafka())) {
                TopicDescription ingest = admin.describeTopics(List.of("m3.docs.ingest")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("m3.docs.ingest");
                assertThat(ingest.partitions().get(0).replicas()).as("replicated on every broker").hasSize(3);
                leader = ingest.partitions().get(0).leader().id();
            }
            ProcessHandle victim = ProcessHandle.of(services.brokers().get(leader - 1).pid()).orElseThrow();
            victim.destroyForcibly();
            victim.onExit().get(30, TimeUnit.SECONDS);
            Thread.sleep(5_000);
            try (EmbeddedBroker restarted = EmbeddedCluster.restartNode(
                    BrokerSettings.in(HOME.resolve("kafka")).withDetached(true), leader)) {
                assertThat(run.waitFor(8, TimeUnit.MINUTES)).as("the run ended").isTrue();
                String out = Files.readString(log);
                assertThat(run.exitValue()).as(out).isZero();
                assertThat(out).contains("Topic plan of namespace m3: 6 partitions, replication 3, min.insync.replicas 2")
                        .contains("Pass 2 (v1");
                assertExactlyOnce(1);
                assertExactlyOnce(2);
                // Bundles went through the cluster: every announced fold is a kafka: address, and the scorer loaded
                // them from its own download folder, not from the trainer's artifact folder.
                String[] models = LoopIT.run("models", "show", "v1", "--home", HOME.toString(), "--namespace", "m3");
                assertThat(models[1]).as(models[2]).contains("\"artifactUri\" : \"kafka:m3.bundles/filter/v1/fold-0\"");
                assertThat(HOME.resolve("streams").resolve("bundles").resolve("m3.bundles").resolve("filter/v1/fold-0"))
                        .isDirectory();
            }
        } finally {
            run.destroyForcibly();
        }
    }

    /** kept ∪ removed of the pass = the source (full mode: the ingest topic), with no document twice. */
    private static void assertExactlyOnce(int pass) {
        RecurateTopics topics = new RecurateTopics(new TopicPlan("m3", 6, (short) 3),
                new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
        Set<String> source = new HashSet<>();
        TopicScan.read(kafka(), topics.ingest().name(), topics.ingest().valueSerde().deserializer(),
                (Document d) -> source.add(d.getId()));
        List<String> decided = new ArrayList<>();
        for (var topic : List.of(topics.kept(pass), topics.removed(pass))) {
            TopicScan.read(kafka(), topic.name(), topic.valueSerde().deserializer(),
                    (ScoredDocument d) -> decided.add(d.getDocument().getId()));
        }
        assertThat(decided).as("pass %d: no document twice", pass).doesNotHaveDuplicates();
        assertThat(new HashSet<>(decided)).as("pass %d: every document decided", pass).isEqualTo(source);
    }

    private static Map<String, Object> kafka() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
    }
}
