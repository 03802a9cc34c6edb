package io.recurate.trainer;

import io.recurate.model.bundle.BundleException;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.train.Example;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainingListener;
import io.recurate.model.train.TrainingReport;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.RecurateTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns a model version: v0 from the constitution alone, v<n> after pass n from its kept documents
 * (acceptable), the documents removed so far (violating: in nested mode every earlier pass's removed
 * topic too) and the constitution, weighted. Reads in bounded memory (a uniform sample per class above
 * the cap, stated in the provenance). The bundle is written atomically before the version is announced,
 * so a crash leaves either nothing or a complete bundle that a restart reuses.
 */
public final class PassTrainer {
    private static final Logger log = LoggerFactory.getLogger(PassTrainer.class);

    private final TrainerConfig config;
    private final RecurateTopics topics;

    public PassTrainer(TrainerConfig config, RecurateTopics topics) {
        this.config = config;
        this.topics = topics;
    }

    public static String versionAfter(int pass) {
        return "v" + pass;
    }

    /** Version v0: the constitution alone. */
    public ModelVersion trainInitial(TrainingListener listener) {
        List<Example> examples = new ArrayList<>(constitution());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "constitution only");
        return train(versionAfter(0), null, null, examples, List.of(), provenance, listener, smallDataSettings(examples.size()));
    }

    /**
     * A few dozen exemplars need more epochs than a pass's thousands of documents (fastText's advice
     * for small sets too): at least 5,000 example updates, and no hold-out, which would take a
     * tenth of the constitution away.
     */
    private io.recurate.model.train.TrainerSettings smallDataSettings(int examples) {
        var s = config.settings();
        int epochs = Math.max(s.epochs(), Math.min(100, (5_000 + examples - 1) / Math.max(1, examples)));
        return s.withEpochs(epochs).withValidationFraction(examples < 500 ? 0 : s.validationFraction());
    }

    /** Version v<n> after pass n. */
    public ModelVersion trainAfter(PassStatus pass, TrainingListener listener) {
        int n = pass.getPass();
        Reservoir<String> acceptable = new Reservoir<>(config.maxPerClass(), config.settings().seed());
        Reservoir<String> violating = new Reservoir<>(config.maxPerClass(), config.settings().seed() + 1);
        List<OffsetRange> ranges = new ArrayList<>();
        var kept = topics.kept(n);
        ranges.addAll(TopicReader.readAll(config.kafkaConfig(), kept.name(), kept.valueSerde().deserializer(),
                (ScoredDocument d) -> acceptable.offer(d.getDocument().getText())));
        int first = pass.getMode() == SourceMode.NESTED ? 1 : n;
        for (int k = first; k <= n; k++) {
            var removed = topics.removed(k);
            ranges.addAll(TopicReader.readAll(config.kafkaConfig(), removed.name(), removed.valueSerde().deserializer(),
                    (ScoredDocument d) -> violating.offer(d.getDocument().getText())));
        }
        List<Example> examples = new ArrayList<>();
        acceptable.items().forEach(t -> examples.add(new Example(t, false, 1f)));
        violating.items().forEach(t -> examples.add(new Example(t, true, 1f)));
        examples.addAll(constitution());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "pass " + n + " (" + pass.getMode().name().toLowerCase() + ")");
        provenance.put("acceptable.read", Long.toString(acceptable.seen()));
        provenance.put("violating.read", Long.toString(violating.seen()));
        provenance.put("acceptable.used", Integer.toString(acceptable.items().size()));
        provenance.put("violating.used", Integer.toString(violating.items().size()));
        provenance.put("sampling", acceptable.sampled() || violating.sampled()
                ? "uniform reservoir sample of at most " + config.maxPerClass() + " per class" : "none (all read)");
        log.info("Training {} after pass {}: {} acceptable and {} violating documents read, {} examples with the "
                + "constitution", versionAfter(n), n, acceptable.seen(), violating.seen(), examples.size());
        return train(versionAfter(n), pass.getModelVersion(), n, examples, ranges, provenance, listener, config.settings());
    }

    private List<Example> constitution() {
        List<Example> out = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(config.constitution(), JsonlReader.OnError.FAIL, true)) {
            reader.forEachRemaining((LabelledText t) -> out.add(new Example(t.text(), t.violating(),
                    t.weight() * config.constitutionWeight())));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("The constitution " + config.constitution() + " has no exemplars");
        }
        return out;
    }

    private ModelVersion train(String version, String parent, Integer pass, List<Example> examples,
                               List<OffsetRange> ranges, Map<String, String> provenance, TrainingListener listener,
                               io.recurate.model.train.TrainerSettings settings) {
        Path dir = config.artifacts().resolve(config.modelName()).resolve(version);
        long started = System.nanoTime();
        ModelBundle bundle;
        Map<String, Double> metrics;
        if (Files.isDirectory(dir)) {
            // A restart after the bundle was written but before it was announced: reuse it if intact.
            bundle = ModelBundle.open(dir);
            metrics = bundle.manifest().metrics();
            log.info("Bundle {} exists and checks out; announcing it again", dir);
        } else {
            long violating = examples.stream().filter(Example::violating).count();
            if (violating == 0 || violating == examples.size()) {
                throw new IllegalArgumentException("Cannot train " + version + ": the data holds only "
                        + (violating == 0 ? "acceptable" : "violating") + " examples");
            }
            Trainer.Result result = new Trainer(config.spec(), settings).train(examples.iterator(), listener);
            TrainingReport report = result.report();
            metrics = new LinkedHashMap<>(report.asMetrics());
            metrics.put("training_seconds_total", (System.nanoTime() - started) / 1e9);
            Map<String, String> p = new LinkedHashMap<>(provenance);
            p.put("constitution", config.constitution().toString());
            p.put("constitution.weight", Float.toString(config.constitutionWeight()));
            p.put("trainer.dim", Integer.toString(config.settings().dim()));
            p.put("trainer.epochs", Integer.toString(settings.epochs()));
            p.put("trainer.learning_rate", Float.toString(config.settings().learningRate()));
            p.put("trainer.seed", Long.toString(config.settings().seed()));
            try {
                Files.createDirectories(dir.getParent());
                bundle = ModelBundle.write(result.model(), new ModelBundle.Description(config.modelName(), version, parent,
                        config.threshold(), p, metrics), config.exporter(), dir);
            } catch (java.io.IOException | BundleException e) {
                throw new IllegalStateException("Cannot write bundle " + dir + " to the artifact store: " + e.getMessage(), e);
            }
        }
        ModelVersion mv = ModelVersion.newBuilder().setName(config.modelName()).setVersion(version).setParentVersion(parent)
                .setArtifactUri(dir.toAbsolutePath().toUri().toString()).setSha256(bundle.manifest().sha256())
                .setFeaturizerSpec(bundle.manifest().featurizer().toJson()).setThreshold(config.threshold())
                .setTrainedOnPass(pass).setSourceRanges(ranges).setProvenance(bundle.manifest().provenance())
                .setMetrics(metrics).setCreatedAt(Instant.now()).build();
        ModelPublisher publisher = new ModelPublisher(config.kafkaConfig(), topics);
        publisher.publish(mv);
        publisher.promote(mv); // a version the loop trained is the one its next pass uses
        log.info("Model {} {} (parent {}) trained on {} examples, validation AUC {}, announced", config.modelName(),
                version, parent, examples.size(), metrics.get("validation_auc"));
        return mv;
    }
}
