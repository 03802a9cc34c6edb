package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.Example;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.ScorerService;
import io.recurate.curation.policy.CurationPolicies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.trainer.TrainerService;
import io.recurate.ledger.ModelLedger;
import io.recurate.curation.versions.PassTrainer;
import io.recurate.curation.versions.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A trainer that died after writing its bundle but before announcing it: the restarted trainer finds the
 * complete bundle, checks it and announces it (no retraining); a half-written temporary folder is ignored.
 */
@ExtendWith(ClusterExtension.class)
class TrainerCrashAfterWriteIT {

    @Test
    void aBundleWrittenButNotAnnouncedIsAnnouncedOnRestart(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "crashwrite");
        p.publishDocuments(500);
        ModelVersion v0 = p.publishModel("v0", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.NESTED, p.plan.ingest().name(), "filter",
                v0.getVersion(), 0.5f);
        try (ScorerService scorer = p.scorer(64, 1)) {
            Pipeline.runInBackground(scorer).join(Duration.ofMinutes(2).toMillis());
        }
        PassStatus scored = p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));

        Path constitution = p.home.resolve("constitution.jsonl");
        Files.write(constitution, List.of("{\"text\":\"win the casino lottery\",\"label\":\"violating\"}",
                "{\"text\":\"meeting notes\",\"label\":\"acceptable\"}"));
        Path artifacts = p.home.resolve("artifacts");
        // What the crashed trainer left: the complete bundle of v1, and the temporary folder of another attempt.
        Path bundleDir = artifacts.resolve("filter").resolve("v1");
        Files.createDirectories(bundleDir.getParent());
        var model = new Trainer(Pipeline.SPEC, TrainerSettings.defaults())
                .train(List.of(Example.of("casino", true), Example.of("notes", false)).iterator(), TrainingListener.NONE).model();
        ModelBundle written = ModelBundle.write(model, new ModelBundle.Description("filter", "v1", "v0", 0.5f, Map.of(),
                Map.of()), OnnxExporter.defaults(), bundleDir);
        Files.createDirectories(bundleDir.getParent().resolve(".v1.tmp-crashed"));

        TrainerConfig config = new TrainerConfig(cluster.kafkaConfig(), artifacts, "filter", constitution, 5f, 10_000,
                Pipeline.SPEC, TrainerSettings.defaults(), OnnxExporter.defaults(), 0.5f,
                CurationPolicies.fixed(0.5f));
        ModelVersion announced = new PassTrainer(config, p.topics).trainAfter(scored, TrainingListener.NONE);

        assertThat(announced.getVersion()).isEqualTo("v1");
        assertThat(announced.getSha256()).as("the written bundle is announced, not retrained")
                .isEqualTo(written.manifest().sha256());
        var models = p.topics.models();
        assertThat(p.readAll(models.name(), models.keySerde().deserializer(), models.valueSerde().deserializer()))
                .extracting(r -> r.value().getVersion()).contains("v1");
    }

    /**
     * Issue 14: a trainer stopped after announcing (and promoting) a version but before marking its pass
     * announced it again on restart, which promoted it again and undid a {@code models promote} made since.
     */
    @Test
    void aVersionAnnouncedBeforeTheCrashIsNotPromotedAgain(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "reannounce");
        p.publishDocuments(300);
        ModelVersion v0 = p.publishModel("v0", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.NESTED, p.plan.ingest().name(), "filter",
                v0.getVersion(), 0.5f);
        try (ScorerService scorer = p.scorer(64, 1)) {
            Pipeline.runInBackground(scorer).join(Duration.ofMinutes(2).toMillis());
        }
        p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));
        Path constitution = p.home.resolve("constitution-reannounce.jsonl");
        Files.write(constitution, List.of("{\"text\":\"win the casino lottery\",\"label\":\"violating\"}",
                "{\"text\":\"meeting notes\",\"label\":\"acceptable\"}"));
        TrainerConfig config = new TrainerConfig(cluster.kafkaConfig(), p.home.resolve("artifacts-reannounce"), "filter",
                constitution, 5f, 10_000, Pipeline.SPEC, TrainerSettings.defaults(), OnnxExporter.defaults(), 0.5f,
                CurationPolicies.fixed(0.5f));
        // What the stopped trainer did: v1 trained, announced and promoted; the pass still says SCORED.
        ModelVersion v1 = new PassTrainer(config, p.topics).trainAfter(
                p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(5)), TrainingListener.NONE);
        try (ModelLedger publisher = new ModelLedger(cluster.kafkaConfig(), p.topics)) {
            assertThat(publisher.promoted("filter").orElseThrow().getVersion()).isEqualTo("v1");
            publisher.promote(v0); // a person chooses v0 for the next pass
        }
        try (TrainerService trainer = new TrainerService(config, p.topics, new SimpleMeterRegistry())) {
            Thread run = new Thread(trainer::run);
            run.setDaemon(true);
            run.start();
            p.awaitPass(1, PassState.TRAINED, Duration.ofMinutes(2));
        }
        try (ModelLedger publisher = new ModelLedger(cluster.kafkaConfig(), p.topics)) {
            assertThat(publisher.promoted("filter").orElseThrow().getVersion()).as("the person's choice stands")
                    .isEqualTo("v0");
            assertThat(publisher.versions().get("filter:v1").getSha256()).isEqualTo(v1.getSha256());
        }
    }
}
