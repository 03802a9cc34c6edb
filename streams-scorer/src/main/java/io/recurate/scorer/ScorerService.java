package io.recurate.scorer;

import io.recurate.service.Causes;
import io.recurate.service.Service;
import io.micrometer.core.instrument.MeterRegistry;
import io.recurate.ledger.EmbeddingTopic;
import io.recurate.ledger.ModelLedger;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.ledger.PassLedger;
import io.recurate.ledger.PassLifecycle;
import io.recurate.registry.RegistryClient;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scorer service: follows {@code <ns>.models} (loading and checking every new version as it
 * arrives) and {@code <ns>.passes}, and scores every RUNNING pass with the model version it is
 * pinned to, one pass after the other; when a pass is complete it publishes it as SCORED with its
 * counts. A restarted service resumes a RUNNING pass where its committed offsets and state left it.
 */
public final class ScorerService implements Service {
    private static final Logger log = LoggerFactory.getLogger(ScorerService.class);

    private final ScorerServiceConfig config;
    private final RecurateTopics topics;
    private final RegistryClient registry;
    private final ModelCache models;
    private final Integer onlyPass;
    private final MeterRegistry meters;
    private final Thread modelFollower;
    private volatile boolean running = true;
    private volatile PassRunner current;
    private volatile ModelLedger modelLedger;
    private volatile PassLedger passes;

    /**
     * @param onlyPass score just this pass and return from {@link #run()} when it is done; null to serve forever
     */
    public ScorerService(ScorerServiceConfig config, RecurateTopics topics, RegistryClient registry, MeterRegistry meters,
                         Integer onlyPass) {
        this.config = config;
        this.topics = topics;
        this.registry = registry;
        // Bundles kept in Kafka are downloaded once into the state folder, beside the passes' state.
        this.models = new ModelCache(config.onnx(), meters,
                new io.recurate.ledger.BundleStore(config.kafkaConfig()).resolver(config.stateDir().resolve("bundles")));
        this.onlyPass = onlyPass;
        this.meters = meters;
        this.modelFollower = new Thread(this::followModels, "scorer-models");
        this.modelFollower.setDaemon(true);
    }

    public ModelCache models() {
        return models;
    }

    /** Runs until closed, or until the one pass asked for is scored. */
    @Override
    public void run() throws InterruptedException {
        try (TopicAdmin admin = new TopicAdmin(config.kafkaConfig())) {
            admin.ensure(List.of(topics.plan().models(), topics.plan().passes(), topics.plan().embeddings()));
        }
        // Every embedding this process computes goes to <ns>.embeddings, so that a trainer elsewhere does not compute
        // it again.
        AutoCloseable sharing = EmbeddingTopic.share(EmbeddingCache.shared(), config.kafkaConfig(),
                topics.plan().embeddings().name());
        log.info("Scorer service started: namespace {}, {}, batch {} / {} ms, device {}, {}", config.namespace(),
                config.exactlyOnce() ? "exactly_once_v2" : "at_least_once", config.batch().maxBatch(),
                config.batch().maxWait().toMillis(), config.onnx().device(),
                onlyPass == null ? "following all passes" : "pass " + onlyPass + " only");
        modelFollower.start();
        passes = new PassLedger(config.kafkaConfig(), topics);
        Map<Integer, PassStatus> latest = new TreeMap<>();
        // What was scored or failed, by attempt: a pass started again (after a failure) is a new attempt, scored again.
        Set<String> done = new HashSet<>();
        try {
            while (running) {
                passes.follow(Duration.ofMillis(500)).forEach(s -> latest.put(s.getPass(), s));
                for (PassStatus status : latest.values()) {
                    int pass = status.getPass();
                    if (status.getState() != PassState.RUNNING || done.contains(attempt(status))
                            || (onlyPass != null && pass != onlyPass)) {
                        if (onlyPass != null && pass == onlyPass && finishedAlready(status)) {
                            return;
                        }
                        continue;
                    }
                    score(status);
                    done.add(attempt(status));
                    if (onlyPass != null) {
                        return;
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            passes.close();
            try {
                sharing.close();
            } catch (Exception e) {
                log.warn("Closing the embeddings publisher failed: {}", e.toString());
            }
        }
    }

    /**
     * Asked to score one pass that is already past scoring: a scored (or trained) pass is done, a failed one
     * is an error with its cause, so {@code scorer --pass N} never waits for a pass that will not run.
     */
    private static boolean finishedAlready(PassStatus status) {
        switch (status.getState()) {
            case SCORED, TRAINED -> {
                log.info("Pass {} is already {}: {}", status.getPass(),
                        status.getState().name().toLowerCase(java.util.Locale.ROOT), status.getCounts());
                return true;
            }
            case FAILED -> throw new IllegalStateException("Pass " + status.getPass() + " failed: " + status.getError()
                    + " ('recurate run' starts a failed pass again)");
            default -> {
                return false;
            }
        }
    }

    /** One start of a pass: its number and when it was started (a pass started again is recorded RUNNING anew). */
    static String attempt(PassStatus status) {
        return status.getPass() + "@" + status.getStartedAt();
    }

    private void score(PassStatus status) throws InterruptedException {
        io.recurate.model.score.Scorer scorer;
        models.retryRefused(status.getModelName(), status.getModelVersion());
        try {
            scorer = models.await(status.getModelName(), status.getModelVersion(), Duration.ofMinutes(5));
            models.retainFrom(status.getModelName(), status.getModelVersion());
        } catch (ModelCache.RefusedException e) {
            // The pass cannot be scored with the version it is pinned to, but the service can go on serving
            // other passes: record why, and what a user can do, where the loop and `passes` readers see it.
            fail(status, "Pass " + status.getPass() + " is pinned to model " + status.getModelName() + " "
                    + status.getModelVersion() + ", which the scorer refused: " + e.getReason() + ". To go on, promote "
                    + "a version that loads ('recurate models promote V', e.g. the previous one) or publish one trained "
                    + "elsewhere ('recurate models publish DIR'), then run again: a failed pass starts again from its "
                    + "source with the promoted version.", e);
            if (onlyPass != null) {
                throw e;
            }
            log.error("Pass {} failed: model {} {} was refused ({}); the scorer goes on serving other passes",
                    status.getPass(), status.getModelName(), status.getModelVersion(), e.getReason());
            return;
        } catch (RuntimeException e) {
            fail(status, Causes.describe(e), e);
            throw e;
        }
        // The version now serving, for the model-version timeline of the scorer dashboard.
        var serving = io.micrometer.core.instrument.Gauge.builder("recurate.scorer.serving", () -> current == null ? 0 : 1)
                .description("1 while the scorer serves this pass with this model version")
                .tags("pass", Integer.toString(status.getPass()), "model_version", status.getModelVersion(),
                        "device", scorer.device()).register(meters);
        try (PassRunner runner = new PassRunner(config, topics, registry, status, PassContext.of(status), () -> scorer,
                meters)) {
            current = runner;
            runner.start();
            PassCounts counts = runner.awaitCompletion(Duration.ofDays(7));
            // The pass's embeddings are on <ns>.embeddings before a trainer learns that the pass is scored.
            EmbeddingTopic.flush(topics.plan().embeddings().name());
            passes.scored(status, counts);
            log.info("Pass {} scored with model {}: input {}, kept {}, removed {}, dlq {}", status.getPass(),
                    status.getModelVersion(), counts.getInput(), counts.getKept(), counts.getRemoved(), counts.getDlq());
        } catch (PassLifecycle.RefusedMoveException e) {
            // The pass was started again (or moved on) while this attempt was scored: the ledger keeps the newer
            // record, and the service goes on serving.
            log.warn("Pass {}: not recorded as scored: {}", status.getPass(), e.getMessage());
        } catch (RuntimeException e) {
            // Any failure (not only a refused model: a streams app that cannot start, say) is published as
            // FAILED, so a loop waiting for this pass stops with the reason instead of waiting for ever.
            if (!running) {
                throw new InterruptedException("stopped during pass " + status.getPass());
            }
            fail(status, Causes.describe(e), e);
            throw e;
        } finally {
            current = null;
            meters.remove(serving);
        }
    }

    /** Publishes the pass as FAILED with {@code error}; a failure to publish is added to {@code cause}. */
    private void fail(PassStatus status, String error, RuntimeException cause) {
        try {
            PassStatus recorded = passes.failed(status, error);
            if (recorded.getState() != PassState.FAILED) {
                log.warn("Pass {} is {} already (another scorer finished it); this scorer's failure is not recorded: {}",
                        status.getPass(), recorded.getState(), error);
            }
        } catch (RuntimeException unpublished) {
            cause.addSuppressed(unpublished);
        }
    }

    private void followModels() {
        try (ModelLedger ledger = new ModelLedger(config.kafkaConfig(), topics)) {
            modelLedger = ledger;
            while (running) {
                ledger.follow(Duration.ofMillis(500)).forEach(this.models::offer);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Following {} failed: {}", topics.models().name(), e.toString(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        ModelLedger following = modelLedger;
        if (following != null) {
            following.wakeup();
        }
        if (passes != null) {
            passes.wakeup();
        }
        PassRunner runner = current;
        if (runner != null) {
            runner.streams().close(Duration.ofSeconds(60)); // commits what was scored; the rest resumes on restart
        }
        try {
            modelFollower.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        models.close();
    }
}
