package io.recurate.curation.versions;

import io.recurate.ledger.BundleStore;
import io.recurate.model.data.Reservoir;
import io.recurate.curation.policy.TrainedVersion;
import io.recurate.curation.policy.TrainingInput;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.TextDocument;
import io.recurate.ledger.ModelLedger;
import io.recurate.model.bundle.BundleKind;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.FoldBundle;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicScan;
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
 * Learns a model version: v0 from the constitution alone, v<n> after pass n with the policy's training
 * rule. The documents removed so far (in full mode, the pass's own) are the labelled positives; what the
 * pass kept is unlabelled. A version of K ≥ 2 folds is cross-fitted: each fold model leaves out the
 * documents (and constitution exemplars) of its fold. Reads in bounded memory (a uniform sample per class
 * above the cap, stated in the provenance). The version folder is written atomically before the version
 * is announced, so a crash leaves either nothing or a complete version that a restart announces.
 */
public final class PassTrainer {
    private static final Logger log = LoggerFactory.getLogger(PassTrainer.class);

    private final TrainerConfig config;
    private final RecurateTopics topics;

    public PassTrainer(TrainerConfig config, RecurateTopics topics) {
        this.config = config;
        this.topics = topics;
    }

    public TrainerConfig config() {
        return config;
    }

    public static String versionAfter(int pass) {
        return "v" + pass;
    }

    /** Version v0: the constitution alone (cross-fitted over the exemplars when the policy has folds). */
    public ModelVersion trainInitial(TrainingListener listener) {
        List<Example> constitution = constitution();
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "constitution only");
        CrossFitTrainer trainer = new CrossFitTrainer(config.spec(), smallDataSettings(constitution.size()),
                config.policy().folds());
        return publish(versionAfter(0), null, null, List.of(), provenance,
                (sink) -> config.policy().training().trainInitial(constitution, trainer, listener, sink));
    }

    /**
     * A few dozen exemplars need more epochs than a pass's thousands of documents (fastText's advice
     * for small sets too): at least 5,000 example updates, and no hold-out, which would take a
     * tenth of the constitution away.
     */
    private TrainerSettings smallDataSettings(int examples) {
        var s = config.settings();
        int epochs = Math.max(s.epochs(), Math.min(100, (5_000 + examples - 1) / Math.max(1, examples)));
        return s.withEpochs(epochs).withValidationFraction(examples < 500 ? 0 : s.validationFraction());
    }

    /** Version v<n> after pass n. */
    public ModelVersion trainAfter(PassStatus pass, TrainingListener listener) {
        int n = pass.getPass();
        Reservoir<TextDocument> unlabelled = new Reservoir<>(config.maxPerClass(), config.settings().seed());
        Reservoir<TextDocument> violating = new Reservoir<>(config.maxPerClass(), config.settings().seed() + 1);
        List<OffsetRange> ranges = new ArrayList<>();
        var kept = topics.kept(n);
        ranges.addAll(TopicScan.readRanges(config.kafkaConfig(), kept.name(), kept.valueSerde().deserializer(),
                (ScoredDocument d) -> unlabelled.offer(document(d))));
        int first = pass.getMode() == SourceMode.NESTED ? 1 : n;
        for (int k = first; k <= n; k++) {
            var removed = topics.removed(k);
            ranges.addAll(TopicScan.readRanges(config.kafkaConfig(), removed.name(), removed.valueSerde().deserializer(),
                    (ScoredDocument d) -> violating.offer(document(d))));
        }
        List<Example> constitution = constitution();
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "pass " + n + " (" + pass.getMode().name().toLowerCase() + ")");
        provenance.put("violating.read", Long.toString(violating.seen()));
        provenance.put("unlabelled.read", Long.toString(unlabelled.seen()));
        provenance.put("violating.used", Integer.toString(violating.items().size()));
        provenance.put("unlabelled.used", Integer.toString(unlabelled.items().size()));
        provenance.put("sampling", unlabelled.sampled() || violating.sampled()
                ? "uniform reservoir sample of at most " + config.maxPerClass() + " per class" : "none (all read)");
        ModelVersion parent = parentVersion(pass);
        boolean head = parent != null && BundleKind.of(parent.getKind()) == BundleKind.EMBEDDING_HEAD;
        log.info("Training {} after pass {} with {}: {} removed (labelled violating) and {} kept (unlabelled) documents "
                + "read, {} constitution exemplars", versionAfter(n), n, head
                        ? "a new embedding head on " + parent.getVersion() + "'s encoder (kept as acceptable; the policy's "
                                + "threshold rule applies, its training rule is the built-in model's)"
                        : config.policy().describe(), violating.seen(), unlabelled.seen(), constitution.size());
        if (head) {
            return new HeadRetrainer(config, topics).train(versionAfter(n), parent, n, violating.items(),
                    unlabelled.items(), constitution, ranges, provenance);
        }
        TrainingInput input = new TrainingInput(violating.items(), unlabelled.items(), constitution);
        CrossFitTrainer trainer = new CrossFitTrainer(config.spec(), config.settings(), config.policy().folds());
        return publish(versionAfter(n), pass.getModelVersion(), n, ranges, provenance,
                (sink) -> config.policy().training().train(input, trainer, listener, sink));
    }

    /** The version that scored the pass: an embedding-head one is followed by its encoder with a new head. */
    private ModelVersion parentVersion(PassStatus pass) {
        if (pass.getModelVersion() == null) {
            return null;
        }
        try (ModelLedger models = new ModelLedger(config.kafkaConfig(), topics)) {
            return models.version(config.modelName(), pass.getModelVersion()).orElse(null);
        }
    }

    private static TextDocument document(ScoredDocument d) {
        return new TextDocument(d.getDocument().getId(), d.getDocument().getText(), d.getScore());
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

    /** Trains with the fold sink of a version folder being written. */
    private interface Training {
        TrainedVersion train(CrossFitTrainer.FoldSink sink);
    }

    private ModelVersion publish(String version, String parent, Integer pass, List<OffsetRange> ranges,
                                 Map<String, String> provenance, Training training) {
        Path dir = config.artifacts().resolve(config.modelName()).resolve(version);
        long started = System.nanoTime();
        VersionFolder.Written written;
        if (VersionFolder.exists(dir)) {
            // A restart after the folder was written but before the version was announced: reuse it.
            written = VersionFolder.read(dir);
            log.info("Version folder {} exists and checks out; announcing it again", dir);
        } else if (Files.exists(dir)) {
            throw new IllegalStateException("Cannot write " + version + ": " + dir + " exists but is not a complete version "
                    + "folder (no " + VersionFolder.FILE + " nor a bundle manifest); move it away and the trainer writes the "
                    + "version again");
        } else {
            Map<String, String> p = new LinkedHashMap<>(provenance);
            p.put("policy", config.policy().describe());
            p.put("constitution", config.constitution().toString());
            p.put("constitution.weight", Float.toString(config.constitutionWeight()));
            p.putAll(config.settings().provenance());
            VersionFolder.Writer writer = new VersionFolder.Writer(dir, new ModelBundle.Description(config.modelName(),
                    version, parent, config.threshold(), p, Map.of()), config.exporter());
            try {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                TrainedVersion trained = training.train(writer::write);
                written = writer.finish(trained.calibration(), config.policy().name());
            } catch (java.io.IOException | RuntimeException e) {
                writer.abandon();
                if (e instanceof IllegalArgumentException iae) {
                    throw iae;
                }
                throw new IllegalStateException("Cannot write version " + version + " to the artifact store " + dir + ": "
                        + e.getMessage(), e);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>(written.description().metrics());
        metrics.put("training_seconds_total", (System.nanoTime() - started) / 1e9);
        // Where scorers find the bundles: this folder, or (--artifact-store kafka) the cluster, written before the
        // version is announced so that no scorer ever sees a version whose bundles are not all there.
        java.util.function.BiFunction<Path, String, String> address = config.bundlesInKafka()
                ? (folder, key) -> new BundleStore(config.kafkaConfig()).upload(folder, topics.plan().bundles().name(),
                        config.modelName() + "/" + version + key)
                : (folder, key) -> folder.toAbsolutePath().toUri().toString();
        List<FoldBundle> folds = new ArrayList<>();
        if (written.bundles().size() > 1) {
            for (int f = 0; f < written.bundles().size(); f++) {
                folds.add(new FoldBundle(f, address.apply(written.bundles().get(f), "/fold-" + f), written.sha256(f)));
            }
        }
        var manifest = ModelBundle.open(written.bundles().get(0)).manifest();
        String versionUri = written.bundles().size() > 1
                ? (config.bundlesInKafka() ? BundleStore.SCHEME + topics.plan().bundles().name() + "/" + config.modelName()
                        + "/" + version : dir.toAbsolutePath().toUri().toString())
                : address.apply(written.bundles().get(0), "");
        ModelVersion mv = ModelVersion.newBuilder().setName(config.modelName()).setVersion(version).setParentVersion(parent)
                .setArtifactUri(versionUri).setSha256(manifest.sha256())
                .setFeaturizerSpec(manifest.featurizer().toJson()).setThreshold(config.threshold())
                .setTrainedOnPass(pass).setSourceRanges(ranges).setProvenance(manifest.provenance())
                .setMetrics(metrics).setFolds(folds).setCalibration(written.description().calibration())
                .setCreatedAt(Instant.now()).build();
        try (ModelLedger models = new ModelLedger(config.kafkaConfig(), topics)) {
            models.announce(mv);
            models.promote(mv); // a version the loop trained is the one its next pass uses
        }
        Double examples = metrics.get("train_examples");
        Double auc = metrics.get("validation_auc");
        log.info("Model {} {} (parent {}, {}) trained on {} examples{}{}; announced and promoted", config.modelName(), version,
                parent == null ? "none" : parent, folds.isEmpty() ? "one bundle" : folds.size() + " fold bundles",
                examples == null ? "?" : String.format("%,.0f", examples), folds.isEmpty() ? "" : " per fold",
                auc == null || auc.isNaN() ? "" : String.format(", mean validation AUC %.4f", auc));
        log.debug("Model {} {} calibration: {}", config.modelName(), version, written.description().calibration());
        return mv;
    }
}
