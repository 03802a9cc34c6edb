package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.recurate.curation.loop.LoopRunner;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.model.bundle.Folds;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.Device;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.FoldBundle;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: the hashed n-gram model's default policy ({@code --encoder none}, as the failsafe configuration sets for
 * this module; the encoder's default is {@code EncoderLoopIT}'s) on a real labelled corpus that a fresh clone can get
 * (the public SpamAssassin sample, fetched from npm as {@code run --sample} does): three passes through the broker lower the violating
 * share pass over pass while keeping at least 90% of the acceptable mail, every pass decides each document of
 * its source exactly once, and the cross-fitted version scores each document with the fold model that never
 * saw it. Also {@code --budget}.
 */
class DefaultPolicyIT {
    private static final Path HOME = Path.of("target", "default-policy-it-" + System.nanoTime()).toAbsolutePath();
    private static Path corpus;
    private static Path constitution;
    private static Map<String, Object> kafka;
    private static RegistryClient registry;

    @BeforeAll
    static void sampleCorpusAndServices() throws Exception {
        corpus = MailCorpus.documents(2000);
        constitution = HOME.resolve("constitution.jsonl");
        Files.createDirectories(HOME);
        Files.write(constitution, MailCorpus.constitution(2000, 20, 20, 11));
        assertThat(LoopIT.run("up", "--home", HOME.toString())[0]).isEqualTo("0");
        var services = new EmbeddedServices(HOME).running().orElseThrow();
        kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
        registry = new RegistryClient(RegistryConfig.of(services.registryUrl()));
    }

    @AfterAll
    static void stopServices() {
        LoopIT.run("down", "--home", HOME.toString());
    }

    private static RecurateTopics topics(String ns) {
        return new RecurateTopics(new TopicPlan(ns, 6, (short) 1), new RecurateSerdes(registry));
    }

    @Test
    void threePassesOfTheDefaultPolicyLowerTheViolatingShareAndKeepTheBenignMail() throws Exception {
        String[] result = LoopIT.run("run", "--home", HOME.toString(), "--namespace", "dflt", "--corpus", corpus.toString(),
                "--constitution", constitution.toString(), "--max-passes", "3", "--delta", "0", "--metrics-port", "0");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
        assertThat(result[1]).contains("Policy: " + CurationPolicies.DEFAULT_HASHED).contains("restored")
                .contains("Supervised ceiling").contains("Stopped after --max-passes 3");
        RecurateTopics topics = topics("dflt");

        Map<String, String> labels = new HashMap<>();
        LoopRunner.read(kafka, topics.ingest().name(), topics.ingest().valueSerde().deserializer(),
                (Document d) -> labels.put(d.getId(), d.getMetadata().get("label")));
        long acceptable = labels.values().stream().filter("acceptable"::equals).count();
        Map<Integer, PassStatus> passes = new HashMap<>();
        LoopRunner.read(kafka, topics.passes().name(), topics.passes().valueSerde().deserializer(),
                (PassStatus s) -> passes.put(s.getPass(), s));
        Set<String> previousKept = labels.keySet();
        double[] violatingShare = new double[4];
        for (int pass = 1; pass <= 3; pass++) {
            List<String> decided = new ArrayList<>();
            Set<String> kept = new HashSet<>();
            long[] keptByLabel = new long[2];
            LoopRunner.read(kafka, topics.kept(pass).name(), topics.kept(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> {
                        decided.add(d.getDocument().getId());
                        kept.add(d.getDocument().getId());
                        keptByLabel["violating".equals(labels.get(d.getDocument().getId())) ? 1 : 0]++;
                    });
            LoopRunner.read(kafka, topics.removed(pass).name(), topics.removed(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> decided.add(d.getDocument().getId()));
            Set<String> source = passes.get(pass).getMode() == SourceMode.FULL ? labels.keySet() : previousKept;
            assertThat(decided).as("pass %d decides every document of its source once", pass)
                    .hasSize(source.size()).containsExactlyInAnyOrderElementsOf(source);
            violatingShare[pass] = (double) keptByLabel[1] / (keptByLabel[0] + keptByLabel[1]);
            assertThat((double) keptByLabel[0] / acceptable).as("benign retention after pass %d", pass)
                    .isGreaterThanOrEqualTo(0.90);
            previousKept = kept;
        }
        assertThat(violatingShare[2]).as("pass 2 below pass 1").isLessThan(violatingShare[1]);
        assertThat(violatingShare[3]).as("pass 3 below pass 2").isLessThan(violatingShare[2]);

        // v1 is cross-fitted: each document of pass 2 was scored by the fold bundle of its own fold.
        Map<String, ModelVersion> versions = new HashMap<>();
        LoopRunner.read(kafka, topics.models().name(), topics.models().valueSerde().deserializer(),
                (ModelVersion v) -> versions.put(v.getVersion(), v));
        ModelVersion v1 = versions.get("v1");
        assertThat(v1.getFolds()).hasSize(CurationPolicies.FOLDS);
        assertThat(v1.getCalibration()).isNotEmpty();
        List<ScoredDocument> sample = new ArrayList<>();
        LoopRunner.read(kafka, topics.kept(2).name(), topics.kept(2).valueSerde().deserializer(), (ScoredDocument d) -> {
            if (sample.size() < 40) {
                sample.add(d);
            }
        });
        FeaturizerSpec spec = FeaturizerSpec.fromJson(v1.getFeaturizerSpec());
        List<BundleScorer> folds = new ArrayList<>();
        for (FoldBundle f : v1.getFolds()) {
            folds.add(ModelBundle.load(Path.of(java.net.URI.create(f.getArtifactUri())),
                    ScorerSettings.defaults().withDevice(Device.CPU), spec));
        }
        int differsFromAnotherFold = 0;
        try {
            for (ScoredDocument d : sample) {
                int fold = Folds.of(d.getDocument().getId(), folds.size());
                float own = folds.get(fold).score(List.of(d.getDocument().getText()))[0];
                float other = folds.get((fold + 1) % folds.size()).score(List.of(d.getDocument().getText()))[0];
                // Batches sum in other orders than a single document: equal within float rounding, not bit for bit.
                assertThat(d.getScore()).as("score of %s", d.getDocument().getId()).isCloseTo(own, within(1e-4f));
                differsFromAnotherFold += Math.abs(other - own) > 1e-3 ? 1 : 0;
            }
        } finally {
            folds.forEach(BundleScorer::close);
        }
        assertThat(differsFromAnotherFold).as("the fold models differ, so the routing matters").isGreaterThan(20);
    }

    @Test
    void aBudgetRemovesItsShareOfEachNestedPassesSource() throws Exception {
        String[] result = LoopIT.run("run", "--home", HOME.toString(), "--namespace", "budget", "--corpus", corpus.toString(),
                "--constitution", constitution.toString(), "--max-passes", "2", "--delta", "0", "--budget", "0.05",
                "--metrics-port", "0");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
        assertThat(result[1]).contains("Policy: budget (nested");
        RecurateTopics topics = topics("budget");
        long previousKept = Files.readAllLines(corpus).size();
        for (int pass = 1; pass <= 2; pass++) {
            long[] counts = new long[2];
            LoopRunner.read(kafka, topics.kept(pass).name(), topics.kept(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> counts[0]++);
            LoopRunner.read(kafka, topics.removed(pass).name(), topics.removed(pass).valueSerde().deserializer(),
                    (ScoredDocument d) -> counts[1]++);
            assertThat(counts[0] + counts[1]).as("pass %d reads what the previous pass kept", pass).isEqualTo(previousKept);
            assertThat((double) counts[1] / previousKept).as("pass %d removes at most its budget", pass)
                    .isLessThanOrEqualTo(0.05).isGreaterThan(0.04);
            previousKept = counts[0];
        }
    }
}
