package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.TrainerSettings;
import io.recurate.scorer.ScorerService;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.trainer.TrainerService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Faults a scorer must survive without losing or duplicating a document. */
@ExtendWith(ClusterExtension.class)
class ScorerFailoverIT {

    @Test
    void whenOneOfTwoScorersOnAPassIsKilledTheOtherTakesOver(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "twoscorers");
        List<String> ids = p.publishDocuments(30_000);
        ModelVersion v1 = p.publishModel("v1", 1);
        PassStatus started = Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL,
                p.plan.ingest().name(), "filter", v1.getVersion(), 0.5f);
        Process a = scorer(cluster, p, "a");
        Process b = scorer(cluster, p, "b");
        try {
            p.awaitInput(1, 6_000);
            a.destroyForcibly(); // SIGKILL one of the two; its partitions must move to the other
            assertThat(b.waitFor(4, TimeUnit.MINUTES)).as("the surviving scorer finishes the pass").isTrue();
            assertThat(b.exitValue()).isZero();
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
        PassStatus status = p.awaitPass(started.getPass(), PassState.SCORED, Duration.ofSeconds(30));
        ScorerIT.assertExactlyOnce(p.decisions(1), ids);
        assertThat(status.getCounts().getInput()).isEqualTo(30_000);
    }

    @Test
    void aBrokerKilledMidPassAndMidTrainingAndRestartedCostsNothing() throws Exception {
        Path home = TestCluster.workDir().resolve("broker-kill-" + UUID.randomUUID());
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")));
        try (EmbeddedRegistry registry = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()))) {
            TestCluster own = TestCluster.of(broker.bootstrapServers(), registry.url());
            Pipeline p = new Pipeline(own, "brokerkill");
            List<String> ids = p.publishDocuments(30_000);
            ModelVersion v0 = p.publishModel("v0", 1);
            Path constitution = p.home.resolve("constitution.jsonl");
            Files.write(constitution, List.of("{\"text\":\"win the casino lottery now\",\"label\":\"violating\"}",
                    "{\"text\":\"minutes of the project meeting\",\"label\":\"acceptable\"}"));
            TrainerConfig trainerConfig = new TrainerConfig(own.kafkaConfig(), p.home.resolve("artifacts"), "filter", constitution,
                    5f, 100_000, Pipeline.SPEC, TrainerSettings.defaults(), OnnxExporter.defaults(), 0.5f,
                CurationPolicies.fixed(0.5f));
            Ledgers.start(own.kafkaConfig(), p.topics, 1, SourceMode.NESTED, p.plan.ingest().name(), "filter",
                    v0.getVersion(), 0.5f);
            try (ScorerService service = p.scorer(64, 1);
                 TrainerService trainer = new TrainerService(trainerConfig, p.topics, new SimpleMeterRegistry())) {
                Thread trainerRun = new Thread(trainer::run, "trainer");
                trainerRun.setDaemon(true);
                trainerRun.start();
                Thread run = Pipeline.runInBackground(service);
                p.awaitInput(1, 6_000);
                broker.kill(); // SIGKILL the broker in the middle of the pass
                // Down for longer than the scorer's transaction timeout (10 s): the restarted coordinator aborts the
                // open transaction, and the stream thread whose commit then fails is replaced, not the pass failed.
                Thread.sleep(12_000);
                broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka"))); // same data, same port
                run.join(Duration.ofMinutes(5).toMillis());
                assertThat(run.isAlive()).as("the scorer finished the pass after the broker came back").isFalse();
                PassStatus status = p.awaitPass(1, Duration.ofSeconds(60), PassState.SCORED, PassState.TRAINED);
                ScorerIT.assertExactlyOnce(p.decisions(1), ids);
                assertThat(status.getCounts().getInput()).isEqualTo(30_000);

                // Now the trainer is reading the pass or training on it: the broker goes again.
                broker.kill();
                Thread.sleep(3000);
                broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")));
                p.awaitPass(1, PassState.TRAINED, Duration.ofMinutes(3));
                var models = p.topics.models();
                assertThat(p.readAll(models.name(), models.keySerde().deserializer(), models.valueSerde().deserializer()))
                        .extracting(r -> r.value().getVersion() + "<-" + r.value().getParentVersion()).contains("v1<-v0");
            }
        } finally {
            broker.close();
        }
    }

    private static Process scorer(TestCluster cluster, Pipeline p, String name) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), ScorerProcess.class.getName(), cluster.bootstrapServers(),
                cluster.registryUrl(), p.plan.namespace(), "1", p.home.resolve("streams-" + name).toString(), "64")
                .redirectErrorStream(true).redirectOutput(p.home.resolve("scorer-" + name + ".log").toFile()).start();
    }
}
