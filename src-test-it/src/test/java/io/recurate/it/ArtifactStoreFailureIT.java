package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.TrainerSettings;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.ScorerService;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.trainer.TrainerService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An artifact store that cannot be written: a clear error, nothing announced, the running model keeps serving. */
@ExtendWith(ClusterExtension.class)
class ArtifactStoreFailureIT {

    @Test
    void anUnwritableArtifactStoreAnnouncesNothingAndTheRunningModelKeepsServing(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "artifacts");
        List<String> ids = p.publishDocuments(1_000);
        ModelVersion v0 = p.publishModel("v0", 1);
        Path constitution = p.home.resolve("constitution.jsonl");
        Files.createDirectories(p.home);
        Files.write(constitution, List.of("{\"text\":\"win the casino lottery\",\"label\":\"violating\"}",
                "{\"text\":\"meeting notes\",\"label\":\"acceptable\"}"));
        Path notADirectory = p.home.resolve("store-is-a-file");
        Files.writeString(notADirectory, "not a folder");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TrainerConfig config = new TrainerConfig(cluster.kafkaConfig(), notADirectory.resolve("models"), "filter",
                constitution, 5f, 10_000, Pipeline.SPEC, TrainerSettings.defaults(), OnnxExporter.defaults(), 0.5f,
                CurationPolicies.fixed(0.5f));
                try (ScorerService scorer = p.scorer(64, null); TrainerService trainer = new TrainerService(config, p.topics, meters)) {
            Thread scoring = Pipeline.runInBackground(scorer);
            Thread training = new Thread(trainer::run, "trainer-under-test");
            training.setDaemon(true);
            training.start();
            Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter", v0.getVersion(), 0.5f);
            p.awaitPass(1, PassState.SCORED, Duration.ofMinutes(2));

            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (meters.find("recurate.trainer.failures").counter() == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(meters.find("recurate.trainer.failures").counter()).as("the failure is counted").isNotNull();
            assertThat(training.isAlive()).as("the trainer survives and will retry").isTrue();
            var models = p.topics.models();
            assertThat(p.readAll(models.name(), models.keySerde().deserializer(), models.valueSerde().deserializer()))
                    .extracting(r -> r.value().getVersion()).doesNotContain("v1");

            // The model that was serving serves the next pass.
            Ledgers.start(cluster.kafkaConfig(), p.topics, 2, SourceMode.FULL, p.plan.ingest().name(), "filter", v0.getVersion(), 0.5f);
            var second = p.awaitPass(2, PassState.SCORED, Duration.ofMinutes(2));
            assertThat(second.getCounts().getInput()).isEqualTo(ids.size());
            assertThat(scoring.isAlive()).isTrue();
        }
    }
}
