package io.recurate.curation.versions;

import io.recurate.curation.train.TextDocument;
import io.recurate.ledger.BundleStore;
import io.recurate.ledger.ModelLedger;
import io.recurate.ledger.ModelVersions;
import io.recurate.model.bundle.Manifest;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.Example;
import io.recurate.model.train.Metrics;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.LinearHead;
import io.recurate.model.transformer.LogisticHead;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.OffsetRange;
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
 * The next version of an embedding-head model: the parent's encoder and tokenizer, a head trained anew on the
 * embeddings of the pass's documents (removed: violating; kept: acceptable) and the constitution's exemplars
 * (weighted). Embeddings come from the process's {@link EmbeddingCache}, which the scorer filled while it scored the
 * pass, so a document's embedding is computed once per encoder: pass 2 onward cost a head evaluation.
 */
final class HeadRetrainer {
    private static final Logger log = LoggerFactory.getLogger(HeadRetrainer.class);
    private static final int CHUNK = 256;

    private final TrainerConfig config;
    private final RecurateTopics topics;

    HeadRetrainer(TrainerConfig config, RecurateTopics topics) {
        this.config = config;
        this.topics = topics;
    }

    ModelVersion train(String version, ModelVersion parent, int pass, List<TextDocument> violating,
                       List<TextDocument> acceptable, List<Example> constitution, List<OffsetRange> ranges,
                       Map<String, String> provenance) {
        long started = System.nanoTime();
        Path parentDir = resolve(parent.getArtifactUri());
        Manifest parentManifest = ModelBundle.open(parentDir).manifest();
        Path dir = config.artifacts().resolve(config.modelName()).resolve(version);
        EmbeddingCache cache = EmbeddingCache.shared();
        long computedBefore = cache.computed();
        if (!Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST))) {
            List<String> texts = new ArrayList<>();
            List<Boolean> labels = new ArrayList<>();
            List<Float> weights = new ArrayList<>();
            violating.forEach(d -> add(texts, labels, weights, d.text(), true, 1f));
            acceptable.forEach(d -> add(texts, labels, weights, d.text(), false, 1f));
            constitution.forEach(e -> add(texts, labels, weights, e.text(), e.violating(), e.weight()));
            List<float[]> embeddings = new ArrayList<>(texts.size());
            try (EmbeddingHeadScorer encoder = ModelBundle.openEncoder(parentDir,
                    new ScorerSettings(Device.AUTO, config.settings().threads(), CHUNK))) {
                for (int i = 0; i < texts.size(); i += CHUNK) {
                    embeddings.addAll(encoder.embed(texts.subList(i, Math.min(texts.size(), i + CHUNK))));
                }
            }
            boolean[] y = new boolean[texts.size()];
            float[] w = new float[texts.size()];
            float[] scores = new float[texts.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = labels.get(i);
                w[i] = weights.get(i);
            }
            LinearHead head = LogisticHead.train(embeddings, y, w);
            for (int i = 0; i < y.length; i++) {
                scores[i] = head.score(embeddings.get(i));
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("train_examples", (double) texts.size());
            metrics.put("train_auc", Metrics.rocAuc(scores, y));
            metrics.put("embeddings_computed", (double) (cache.computed() - computedBefore));
            metrics.put("training_seconds", (System.nanoTime() - started) / 1e9);
            Map<String, String> p = new LinkedHashMap<>(provenance);
            p.put("training", "embedding head: logistic regression on the encoder's embeddings of the pass's removed "
                    + "(violating) and kept (acceptable) documents and the constitution (weighted); the encoder is "
                    + "the parent's");
            p.put("constitution", config.constitution().toString());
            p.put("constitution.weight", Float.toString(config.constitutionWeight()));
            try {
                Files.createDirectories(dir.toAbsolutePath().getParent());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot create " + dir.getParent() + ": " + e.getMessage(), e);
            }
            ModelBundle.writeEmbeddingHead(parentDir.resolve(ModelBundle.MODEL),
                    parentDir.resolve(parentManifest.transformer().tokenizer()), parentManifest.transformer(), head,
                    new ModelBundle.Description(config.modelName(), version, parent.getVersion(), config.threshold(), p,
                            metrics), dir, true);
            log.info("Trained the head of {} on {} documents and exemplars ({} embeddings computed, the rest from the "
                    + "cache), training AUC {}", version, texts.size(), cache.computed() - computedBefore,
                    String.format("%.4f", metrics.get("train_auc")));
        } else {
            log.info("Bundle {} exists and checks out; announcing it again", dir);
        }
        Manifest manifest = ModelBundle.open(dir).manifest();
        String uri = config.bundlesInKafka()
                ? new BundleStore(config.kafkaConfig()).upload(dir, topics.plan().bundles().name(), config.modelName() + "/" + version)
                : dir.toAbsolutePath().toUri().toString();
        ModelVersion mv = ModelVersion.newBuilder().setName(config.modelName()).setVersion(version)
                .setParentVersion(parent.getVersion()).setArtifactUri(uri).setSha256(manifest.sha256())
                .setKind(manifest.bundleKind().id()).setFeaturizerSpec(manifest.transformer().toJson())
                .setThreshold(config.threshold()).setTrainedOnPass(pass).setSourceRanges(ranges)
                .setProvenance(manifest.provenance()).setMetrics(manifest.metrics() == null ? Map.of() : manifest.metrics())
                .setCreatedAt(Instant.now()).build();
        try (ModelLedger models = new ModelLedger(config.kafkaConfig(), topics)) {
            models.announce(mv);
            models.promote(mv);
        }
        log.info("Model {} {} (parent {}, embedding head) announced and promoted", config.modelName(), version,
                parent.getVersion());
        return mv;
    }

    private Path resolve(String uri) {
        return BundleStore.isKafka(uri)
                ? new BundleStore(config.kafkaConfig()).fetch(uri, config.artifacts().resolve(".downloaded"))
                : ModelVersions.bundlePath(uri);
    }

    private static void add(List<String> texts, List<Boolean> labels, List<Float> weights, String text, boolean violating,
                            float weight) {
        texts.add(text);
        labels.add(violating);
        weights.add(weight);
    }
}
