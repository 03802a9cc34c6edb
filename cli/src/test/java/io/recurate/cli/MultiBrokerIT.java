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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production shape on this machine: 'recurate up --brokers 3' (KRaft, loopback, replication 3,
 * min.insync.replicas 2), two scorer JVMs and a trainer JVM with separate folders (bundles kept in Kafka), and
 * 'run --no-services' driving the passes. The broker leading the source's first partition is killed (SIGKILL)
 * mid-pass, and the broker leading the first partition of the pass the trainer reads as it starts reading; each
 * is restarted 5 s later. The loop completes with no manual step and every pass is exactly once
 * (kept ∪ removed = source, no duplicates).
 */
class MultiBrokerIT {
    private static final Path HOME = Path.of("target", "multi-broker-" + System.nanoTime()).toAbsolutePath();
    private static EmbeddedServices.State services;
    /** The pid of each node, by node id: a restarted node has a new one. */
    private static final Map<Integer, Long> pids = new java.util.HashMap<>();

    @BeforeAll
    static void up() {
        String[] up = LoopIT.run("up", "--home", HOME.toString(), "--brokers", "3");
        assertThat(up[0]).as(up[2]).isEqualTo("0");
        services = new EmbeddedServices(HOME).running().orElseThrow();
        assertThat(services.brokers()).hasSize(3);
        for (int node = 1; node <= 3; node++) {
            pids.put(node, services.brokers().get(node - 1).pid());
        }
    }

    @AfterAll
    static void down() {
        LoopIT.run("down", "--home", HOME.toString());
    }

    @Test
    void twoScorersATrainerAndTheLoopAsSeparateProcessesSurviveBrokerDeathsMidPassAndMidTraining() throws Exception {
        Path constitution = HOME.resolve("constitution.jsonl");
        Files.write(constitution, LoopIT.constitutionLines(10, 10, 7));
        String home = HOME.toString();
        List<Child> children = new ArrayList<>();
        try {
            Child run = Child.start(HOME, "run", "--home", home, "--namespace", "m3", "--no-services", "--corpus",
                    MailCorpus.documents(LoopIT.DOCUMENTS).toString(), "--constitution", constitution.toString(),
                    "--max-passes", "2", "--artifact-store", "kafka", "--artifacts", HOME.resolve("run-models").toString());
            children.add(run);
            run.awaitLog("Pass 1: threshold", Duration.ofMinutes(3), children); // topics made, v0 in the cluster
            Child scorerA = Child.named("scorer-a", HOME, "scorer", "--home", home, "--namespace", "m3",
                    "--state-dir", HOME.resolve("scorer-a").toString());
            Child scorerB = Child.named("scorer-b", HOME, "scorer", "--home", home, "--namespace", "m3",
                    "--state-dir", HOME.resolve("scorer-b").toString());
            Child trainer = Child.start(HOME, "trainer", "--home", home, "--namespace", "m3", "--constitution",
                    constitution.toString(), "--artifact-store", "kafka", "--artifacts", HOME.resolve("trainer-models").toString());
            children.addAll(List.of(scorerA, scorerB, trainer));

            scorerA.awaitLog("Pass 1: scoring", Duration.ofMinutes(3), children);
            EmbeddedBroker first = killAndRestartLeaderOf("m3.docs.ingest");
            awaitEither(scorerA, scorerB, "Pass 1 scored", children);
            EmbeddedBroker second = killAndRestartLeaderOf("m3.pass.1.kept"); // what the trainer reads now
            try (first; second) {
                assertThat(run.process().waitFor(8, TimeUnit.MINUTES)).as("the run ended" + Child.logs(children)).isTrue();
                String out = run.log();
                assertThat(run.process().exitValue()).as(out).isZero();
                assertThat(out).contains("Topic plan of namespace m3: 6 partitions, replication 3, min.insync.replicas 2")
                        .contains("Pass 2 (v1");
                assertExactlyOnce(services.bootstrapServers(), services.registryUrl(), "m3", 1);
                assertExactlyOnce(services.bootstrapServers(), services.registryUrl(), "m3", 2);
                // Both scorers took part in the passes, as one streams application sharing the partitions.
                assertThat(scorerA.log()).contains("Pass 1: scoring").contains("Pass 2: scoring");
                assertThat(scorerB.log()).contains("Pass 1: scoring").contains("Pass 2: scoring");
                assertThat(trainer.log()).contains("Training v1 after pass 1");
                // Bundles went through the cluster: every announced fold is a kafka: address, and each scorer
                // loaded them into its own folder, not from the trainer's.
                String[] models = LoopIT.run("models", "show", "v1", "--home", home, "--namespace", "m3");
                assertThat(models[1]).as(models[2]).contains("\"artifactUri\" : \"kafka:m3.bundles/filter/v1/fold-0\"");
                for (String scorer : List.of("scorer-a", "scorer-b")) {
                    assertThat(HOME.resolve(scorer).resolve("bundles").resolve("m3.bundles").resolve("filter/v1/fold-0"))
                            .isDirectory();
                }
                // The loop downloaded each version to read its score distribution, and deleted it after.
                Path loopCache = Path.of(System.getProperty("java.io.tmpdir"), "recurate-bundles-"
                        + System.getProperty("user.name", "user"), "m3.bundles");
                assertThat(out).contains("downloaded from m3.bundles into " + loopCache.resolve("filter/v1"));
                try (var left = java.nio.file.Files.walk(loopCache)) {
                    assertThat(left.filter(f -> f.getFileName().toString().equals("manifest.json")).toList())
                            .as("bundles left in the loop's cache").isEmpty();
                }
            }
        } finally {
            children.forEach(c -> c.process().destroyForcibly());
        }
    }

    /** SIGKILLs the broker leading partition 0 of {@code topic} and starts it again 5 s later. */
    private static EmbeddedBroker killAndRestartLeaderOf(String topic) throws Exception {
        int leader;
        try (Admin admin = Admin.create(kafka())) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            assertThat(description.partitions().get(0).replicas()).as("replicated on every broker").hasSize(3);
            leader = description.partitions().get(0).leader().id();
        }
        ProcessHandle victim = ProcessHandle.of(pids.get(leader)).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get(30, TimeUnit.SECONDS);
        Thread.sleep(5_000);
        EmbeddedBroker restarted = EmbeddedCluster.restartNode(BrokerSettings.in(HOME.resolve("kafka")).withDetached(true),
                leader);
        pids.put(leader, restarted.pid());
        return restarted;
    }

    private static void awaitEither(Child a, Child b, String line, List<Child> all) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!a.log().contains(line) && !b.log().contains(line)) {
            assertThat(System.nanoTime()).as("a scorer logs \"%s\"%s", line, Child.logs(all)).isLessThan(deadline);
            Child.failIfOneDied(all);
            Thread.sleep(20);
        }
    }

    /** kept ∪ removed of the pass = the source (full mode: the ingest topic), with no document twice. */
    static void assertExactlyOnce(String bootstrap, String registry, String namespace, int pass) {
        Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        RecurateTopics topics = new RecurateTopics(new TopicPlan(namespace, 6, (short) 1),
                new RecurateSerdes(new RegistryClient(RegistryConfig.of(registry))));
        Set<String> source = new HashSet<>();
        TopicScan.read(kafka, topics.ingest().name(), topics.ingest().valueSerde().deserializer(),
                (Document d) -> source.add(d.getId()));
        List<String> decided = new ArrayList<>();
        for (var topic : List.of(topics.kept(pass), topics.removed(pass))) {
            TopicScan.read(kafka, topic.name(), topic.valueSerde().deserializer(),
                    (ScoredDocument d) -> decided.add(d.getDocument().getId()));
        }
        assertThat(decided).as("pass %d: no document twice", pass).doesNotHaveDuplicates();
        assertThat(new HashSet<>(decided)).as("pass %d: every document decided", pass).isEqualTo(source);
    }

    private static Map<String, Object> kafka() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
    }
}
