package io.recurate.curation.versions;

import io.recurate.ledger.BundleStore;
import io.recurate.model.data.Reservoir;
import io.recurate.curation.policy.TrainedVersion;
import io.recurate.curation.policy.TrainingInput;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.HeadLearner;
import io.recurate.ledger.EmbeddingTopic;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.EncoderFiles;
import io.recurate.model.transformer.FoldHeads;
import io.recurate.model.transformer.LogisticHead;
import java.util.HashSet;
import java.util.Set;
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
    /** Texts embedded per encoder call. */
    private static final int CHUNK = 256;

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

    /**
     * Version v0: the constitution alone (cross-fitted over the exemplars when the policy has folds): heads on the
     * configured encoder, else the hashed n-gram model.
     */
    public ModelVersion trainInitial(TrainingListener listener) {
        List<Example> constitution = constitution();
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", "constitution only");
        if (config.encoder() != null) {
            return publish(versionAfter(0), null, null, List.of(), provenance, new HeadTraining(config.encoder().get(),
                    constitution, List.of(), null), learner -> config.policy().training().trainInitial(constitution, learner));
        }
        return publish(versionAfter(0), null, null, List.of(), provenance,
                writer -> new CrossFitTrainer(config.spec(), smallDataSettings(constitution.size()), config.policy().folds(),
                        listener, writer::write),
                learner -> config.policy().training().trainInitial(constitution, learner));
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

    /**
     * Version v<n> after pass n, of the kind of the version that scored the pass: heads on its encoder after an
     * embedding-head version, else the hashed n-gram model.
     */
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
        log.info("Training {} after pass {} with {}{}: {} removed (labelled violating) and {} kept (unlabelled) documents "
                + "read, {} constitution exemplars", versionAfter(n), n, config.policy().describe(),
                head ? ", heads on " + parent.getVersion() + "'s encoder" : "", violating.seen(), unlabelled.seen(),
                constitution.size());
        TrainingInput input = new TrainingInput(violating.items(), unlabelled.items(), constitution,
                parent == null || parent.getCalibration() == null ? Map.of() : parent.getCalibration(), violating.seen(),
                unlabelled.seen());
        if (head) {
            List<String> texts = new ArrayList<>(violating.items().size() + unlabelled.items().size());
            violating.items().forEach(d -> texts.add(d.text()));
            unlabelled.items().forEach(d -> texts.add(d.text()));
            Path parentDir = resolve(parent.getArtifactUri());
            EncoderFiles encoder = ModelBundle.encoderFiles(parentDir);
            FoldHeads previous = ModelBundle.heads(parentDir);
            return publish(versionAfter(n), pass.getModelVersion(), n, ranges, provenance,
                    new HeadTraining(encoder, constitution, texts, previous),
                    learner -> config.policy().training().train(input, learner));
        }
        return publish(versionAfter(n), pass.getModelVersion(), n, ranges, provenance,
                writer -> new CrossFitTrainer(config.spec(), config.settings(), config.policy().folds(), listener,
                        writer::write),
                learner -> config.policy().training().train(input, learner));
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

    private Path resolve(String uri) {
        return BundleStore.isKafka(uri)
                ? new BundleStore(config.kafkaConfig()).fetch(uri, config.artifacts().resolve(".downloaded"))
                : io.recurate.ledger.ModelVersions.bundlePath(uri);
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

    /** The learner of a version, writing what it fits into the version folder being written. */
    private interface Learners {
        FoldLearner open(VersionFolder.Writer writer);

        /** Called when training is over, written or not. */
        default void close() {
        }
    }

    /** Trains the version with the learner. */
    private interface Training {
        TrainedVersion train(FoldLearner learner);
    }

    /**
     * Heads on an encoder: the texts' embeddings come from the process's cache, filled first from
     * {@code <ns>.embeddings} (what a scorer in another process computed), and only what neither holds is run through
     * the encoder, here.
     */
    private final class HeadTraining implements Learners {
        private final EncoderFiles encoder;
        private final List<Example> constitution;
        private final List<String> texts;
        private final FoldHeads previous;
        private EmbeddingHeadScorer session;
        private long computedBefore;
        private long loaded;

        /** @param previous the heads of the version that scored the pass, averaged into the next; null for v0 */
        HeadTraining(EncoderFiles encoder, List<Example> constitution, List<String> texts, FoldHeads previous) {
            this.previous = previous;
            this.encoder = encoder;
            this.constitution = constitution;
            this.texts = texts;
        }

        @Override
        public FoldLearner open(VersionFolder.Writer writer) {
            EmbeddingCache cache = EmbeddingCache.shared();
            String sha = ModelBundle.sha256(encoder.onnx());
            session = EmbeddingHeadScorer.open(encoder.onnx(), sha, encoder.tokenizer(), encoder.spec(), null, cache,
                    new ScorerSettings(Device.AUTO, config.settings().threads(), CHUNK));
            Set<String> keys = new HashSet<>();
            texts.forEach(t -> keys.add(EmbeddingCache.key(sha, t)));
            constitution.forEach(e -> keys.add(EmbeddingCache.key(sha, e.text())));
            long here = keys.stream().filter(cache::contains).count();
            loaded = EmbeddingTopic.load(config.kafkaConfig(), topics.plan().embeddings().name(), cache, keys);
            computedBefore = cache.computed();
            log.info("Embeddings of {} texts for the heads: {} in this process already, {} read from {}, {} to compute "
                    + "with {}", keys.size(), here, loaded, topics.plan().embeddings().name(),
                    keys.size() - here - loaded, encoder.name());
            return new HeadLearner(config.policy().folds(), encoder.name(), this::embed, LogisticHead.LOOP_L2, previous,
                    heads -> writer.writeHeads(heads, encoder, Map.of(
                            "train_examples", (double) (texts.size() + constitution.size()),
                            "embeddings_computed", (double) (cache.computed() - computedBefore),
                            "embeddings_loaded", (double) loaded)));
        }

        private List<float[]> embed(List<String> batch) {
            List<float[]> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i += CHUNK) {
                out.addAll(session.embed(batch.subList(i, Math.min(batch.size(), i + CHUNK))));
            }
            return out;
        }

        @Override
        public void close() {
            if (session != null) {
                session.close();
            }
        }
    }

    private ModelVersion publish(String version, String parent, Integer pass, List<OffsetRange> ranges,
                                 Map<String, String> provenance, Learners learners, Training training) {
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
                TrainedVersion trained = training.train(learners.open(writer));
                written = writer.finish(trained.calibration(), config.policy().name());
            } catch (java.io.IOException | RuntimeException e) {
                writer.abandon();
                if (e instanceof IllegalArgumentException iae) {
                    throw iae;
                }
                throw new IllegalStateException("Cannot write version " + version + " to the artifact store " + dir + ": "
                        + e.getMessage(), e);
            } finally {
                learners.close();
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
                .setKind(manifest.bundleKind().id()).setFeaturizerSpec(manifest.featurizer() != null ? manifest.featurizer().toJson()
                        : manifest.transformer().toJson()).setThreshold(config.threshold())
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
