package io.recurate.curation.loop;

import io.recurate.registry.RegistryClient;
import io.recurate.schemas.Decision;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.curation.loop.LoopRunner;
import io.recurate.ledger.ModelLedger;
import io.recurate.ledger.ModelVersions;
import io.recurate.ledger.PassLedger;
import io.recurate.scorer.PassContext;
import io.recurate.scorer.PassReset;
import io.recurate.scorer.PassRunner;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.topics.RecurateTopics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Replays a finished pass from its source: with its pinned model (after deleting its outputs and
 * resetting its application), which must give the same decisions, or with another model into a
 * variant's own topics, to see what that model would have decided.
 */
public final class PassReplay {
    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final RegistryClient registry;
    private final ScorerServiceConfig scorer;
    private final String modelName;

    /** @param scorer the settings a replay scores with: the scorer's own (its options, its defaults) */
    public PassReplay(Map<String, Object> kafkaConfig, RecurateTopics topics, RegistryClient registry,
                      ScorerServiceConfig scorer, String modelName) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.registry = registry;
        this.scorer = scorer;
        this.modelName = modelName;
    }

    /** A document's decision and score in one pass (or variant). */
    public record Decided(Decision decision, float score) {
    }

    /** How two sets of decisions about the same documents compare. */
    public record Diff(long documents, long identical, long keptToRemoved, long removedToKept, long missing) {
        public long changed() {
            return keptToRemoved + removedToKept;
        }
    }

    /** Replays pass {@code pass} with {@code modelVersion}, or its pinned version when null; returns its counts. */
    public PassCounts rerun(int pass, String modelVersion) throws InterruptedException {
        PassStatus status = status(pass);
        String variant = modelVersion == null ? null : modelVersion;
        String version = modelVersion == null ? status.getModelVersion() : modelVersion;
        PassContext context = PassContext.of(status, variant, version);
        String namespace = topics.plan().namespace();
        PassReset.inCluster(kafkaConfig, topics.plan(), pass, variant);
        PassReset.localState(scorer.stateDir(), context.applicationId(namespace));
        ModelVersion mv;
        try (ModelLedger models = new ModelLedger(kafkaConfig, topics)) {
            mv = models.version(modelName, version).orElseThrow(() -> new IllegalArgumentException(
                    "No version " + version + " of model " + modelName + " is announced"));
        }
        ScorerServiceConfig config = scorer;
        try (ModelVersions.Loaded loaded = ModelVersions.load(mv, scorer.onnx(),
                new io.recurate.ledger.BundleStore(kafkaConfig).resolver(scorer.stateDir().resolve("bundles")));
             PassRunner runner = new PassRunner(config, topics, registry, status, context, loaded::scorer,
                     new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            runner.start();
            PassCounts counts = runner.awaitCompletion(Duration.ofHours(12));
            if (variant == null) {
                try (PassLedger passes = new PassLedger(kafkaConfig, topics)) {
                    passes.recounted(status, counts);
                }
            }
            return counts;
        }
    }

    public Map<String, Decided> decisions(int pass, String variant) {
        Map<String, Decided> out = new HashMap<>();
        for (var topic : new io.recurate.topics.Topic[] {topics.kept(pass, variant), topics.removed(pass, variant)}) {
            @SuppressWarnings("unchecked")
            var t = (io.recurate.topics.Topic<String, ScoredDocument>) topic;
            LoopRunner.read(kafkaConfig, t.name(), t.valueSerde().deserializer(),
                    (ScoredDocument d) -> out.put(d.getDocument().getId(), new Decided(d.getDecision(), d.getScore())));
        }
        return out;
    }

    public static Diff diff(Map<String, Decided> before, Map<String, Decided> after) {
        long identical = 0;
        long keptToRemoved = 0;
        long removedToKept = 0;
        long missing = 0;
        for (var e : before.entrySet()) {
            Decided other = after.get(e.getKey());
            if (other == null) {
                missing++;
            } else if (other.decision() == e.getValue().decision()) {
                identical++;
            } else if (e.getValue().decision() == Decision.KEPT) {
                keptToRemoved++;
            } else {
                removedToKept++;
            }
        }
        return new Diff(before.size(), identical, keptToRemoved, removedToKept, missing);
    }

    private PassStatus status(int pass) {
        try (PassLedger passes = new PassLedger(kafkaConfig, topics)) {
            return passes.latest(pass).orElseThrow(() -> new IllegalArgumentException(
                    "Pass " + pass + " was never started in namespace " + topics.plan().namespace()));
        }
    }
}
