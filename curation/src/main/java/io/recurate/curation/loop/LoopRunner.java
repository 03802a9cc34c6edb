package io.recurate.curation.loop;

import io.recurate.model.data.Reservoir;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recurate.curation.policy.PassView;
import io.recurate.ledger.BundleStore;
import io.recurate.ledger.EmbeddingTopic;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.ledger.ModelLedger;
import io.recurate.ledger.ModelVersions;
import io.recurate.ledger.PassLedger;
import io.recurate.ledger.PassProgressReader;
import io.recurate.curation.versions.PassTrainer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.PassReset;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.Topic;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicScan;
import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator: model 0 from the constitution, then pass after pass (start it pinned to the promoted
 * version with the policy's threshold, wait for the scorer, wait for the trainer's next version) until a
 * pass changes less than delta of its decisions or the maximum number of passes is reached. Scorer and
 * trainer run elsewhere (in this process in embedded mode, or as their own services); this class only
 * talks through the topics.
 */
public final class LoopRunner {
    /** Where the loop keeps bundles it downloads from Kafka to read a version's score distribution. */
    static final Path BUNDLE_CACHE = Path.of(System.getProperty("java.io.tmpdir"),
            "recurate-bundles-" + System.getProperty("user.name", "user"));
    private static final Logger log = LoggerFactory.getLogger(LoopRunner.class);
    /** Source documents the loop scores itself when a threshold policy needs the score distribution. */
    private static final int SCORE_SAMPLE = 200_000;

    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final LoopSettings settings;
    private final PassTrainer trainer;
    private final PrintWriter out;
    private final MeterRegistry meters;
    private final ServiceHealth services;
    private final PassListener progress;
    private final ScorerSettings scoring;

    public LoopRunner(Map<String, Object> kafkaConfig, RecurateTopics topics, LoopSettings settings, PassTrainer trainer,
                      PrintWriter out, MeterRegistry meters, ServiceHealth services, PassListener progress,
                      ScorerSettings scoring) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.settings = settings;
        this.trainer = trainer;
        this.out = out;
        this.meters = meters;
        this.services = services;
        this.progress = progress;
        this.scoring = scoring;
    }

    /** What a run did: its passes and why it stopped. */
    public record Result(List<PassReport> passes, boolean converged) {
    }

    public Result run() throws InterruptedException {
        try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
            admin.ensure(List.of(topics.plan().embeddings()));
        }
        // What this process embeds (v0's exemplars, the sources it scores for thresholds) is shared with the trainer
        // and scorers of other processes, as the scorer shares its own.
        AutoCloseable sharing = EmbeddingTopic.share(EmbeddingCache.shared(), kafkaConfig, topics.plan().embeddings().name());
        try (ModelLedger models = new ModelLedger(kafkaConfig, topics); PassLedger passes = new PassLedger(kafkaConfig, topics)) {
            return run(models, passes);
        } finally {
            try {
                sharing.close();
            } catch (Exception e) {
                log.warn("Closing the embeddings publisher failed: {}", e.toString());
            }
        }
    }

    private Result run(ModelLedger models, PassLedger passes) throws InterruptedException {
        String v0 = PassTrainer.versionAfter(0);
        if (models.version(settings.modelName(), v0).isEmpty()) {
            out.println("Training " + v0 + " from the constitution (" + settings.policy().describe() + ")...");
            out.flush();
            trainer.trainInitial(TrainingListener.NONE);
        }
        SourceMode mode = settings.policy().mode();
        List<PassReport> reports = new ArrayList<>();
        Set<Long> previousRemoved = Set.of();
        boolean converged = false;
        for (int n = 1; n <= settings.maxPasses(); n++) {
            awaitModel(models, PassTrainer.versionAfter(n - 1));
            // The promoted version: the one just trained, unless someone promoted another since.
            String version = models.promoted(settings.modelName()).map(ModelVersion::getVersion)
                    .orElse(PassTrainer.versionAfter(n - 1));
            String source = n == 1 || mode == SourceMode.FULL ? topics.plan().ingest().name()
                    : topics.plan().kept(n - 1).name();
            PassStatus existing = passes.latest(n).orElse(null);
            if (existing != null && existing.getState() == PassState.FAILED) {
                out.printf("Pass %d failed before: %s%nStarting pass %d again from its source with model %s%n", n,
                        existing.getError(), n, version);
                out.flush();
                resetFailed(n);
                existing = null;
            }
            long started = System.nanoTime();
            PassStatus status = existing;
            if (status == null) {
                ModelVersion mv = models.version(settings.modelName(), version).orElseThrow(() -> new IllegalStateException(
                        "Model " + settings.modelName() + " " + version + " is promoted but was never announced"));
                double previousShare = reports.isEmpty() ? 0 : reports.get(reports.size() - 1).removedFraction();
                float tau = settings.policy().threshold().threshold(new PassView(n, mv.getCalibration(),
                        () -> sourceScores(mv, source), previousShare));
                log.info("Pass {}: threshold {} ({}) with model {}", n, tau, settings.policy().threshold().name(), version);
                status = passes.start(n, mode, source, settings.modelName(), version, tau);
            }
            AtomicInteger state = new AtomicInteger(status.getState().ordinal());
            Gauge.builder("recurate.pass.state", state, AtomicInteger::get)
                    .description("State of the pass: 0 planned, 1 running, 2 scored, 3 trained, 4 failed")
                    .tags("pass", Integer.toString(n), "model_version", status.getModelVersion()).register(meters);
            PassStatus scored = awaitScored(passes, status);
            state.set(scored.getState().ordinal());
            Set<Long> removedNow = new HashSet<>();
            PassReport report = report(scored, previousRemoved, removedNow, (System.nanoTime() - started) / 1e9);
            previousRemoved = removedNow;
            reports.add(report);
            record(report);
            // The pass's own pinned version and source: a resumed pass may predate a later promotion.
            out.printf("Pass %d (%s, %s, tau %.4f): input %d, kept %d, removed %d (%.2f%%), restored %d, dlq %d%s%n", n,
                    scored.getModelVersion(), scored.getSourceTopic(), scored.getThreshold(), report.input(), report.kept(), report.removed(),
                    100 * report.removedFraction(), report.restored(), report.dlq(), report.labelled()
                            ? String.format(", violating in kept %.2f%%", 100 * report.violatingInKept()) : "");
            out.flush();
            double changed = mode == SourceMode.NESTED ? report.removedFraction() : report.changedFraction();
            if (changed < settings.delta()) {
                converged = true;
                out.printf("Converged: pass %d changed %.4f%% of its source's decisions < delta %.4f%%: the corpus is "
                        + "self-consistent under this policy%n", n, 100 * changed, 100 * settings.delta());
                break;
            }
            if (n == settings.maxPasses()) {
                out.printf("Stopped after --max-passes %d: pass %d still changed %.4f%% of its source's decisions "
                        + "(delta %.4f%%), so the loop had not converged%n", n, n, 100 * changed, 100 * settings.delta());
            }
        }
        return new Result(reports, converged);
    }

    /**
     * The cross-fitted scores of (a uniform sample of up to 200,000 documents of) a pass's source under a
     * version, for threshold policies that read the score distribution.
     */
    private float[] sourceScores(ModelVersion version, String source) {
        Reservoir<Document> sample = new Reservoir<>(SCORE_SAMPLE, 17);
        if (source.equals(topics.plan().ingest().name())) {
            read(topics.ingest(), sample::offer);
        } else {
            read(kafkaConfig, source, topics.kept(1).valueSerde().deserializer(), (ScoredDocument d) -> sample.offer(d.getDocument()));
        }
        // Bundles fetched from Kafka are read once here: they are deleted after scoring, so the cache stays small.
        BundleStore store = new BundleStore(kafkaConfig);
        List<Path> fetched = new ArrayList<>();
        java.util.function.Function<String, Path> resolve = uri -> {
            Path dir = store.resolver(BUNDLE_CACHE).apply(uri);
            if (BundleStore.isKafka(uri)) {
                fetched.add(dir);
            }
            return dir;
        };
        ModelVersions.Loaded loaded;
        try {
            loaded = ModelVersions.load(version, scoring, resolve);
        } catch (RuntimeException e) {
            fetched.forEach(BundleStore::evict);
            throw new IllegalStateException("Model " + version.getName() + " " + version.getVersion() + ", which the next "
                    + "pass is to use, cannot be served: " + e.getMessage() + ". To go on, promote a version that loads "
                    + "('recurate models promote V', e.g. the previous one) or publish one trained elsewhere ('recurate "
                    + "models publish DIR'), then run again.", e);
        }
        try (loaded) {
            List<String> ids = sample.items().stream().map(Document::getId).toList();
            List<String> texts = sample.items().stream().map(Document::getText).toList();
            float[] scores = loaded.scorer().score(ids, texts);
            log.info("Scored {} of {} documents of {} with {} for the threshold", scores.length, sample.seen(), source,
                    version.getVersion());
            return scores;
        } finally {
            fetched.forEach(BundleStore::evict);
        }
    }

    /**
     * Clears what a failed attempt at pass {@code n} left (its streams application and its topics), so
     * that it starts again from its source. Refused while a scorer still runs the pass.
     */
    private void resetFailed(int n) {
        PassReset.inCluster(kafkaConfig, topics.plan(), n, null);
    }

    /** Pass results as gauges, for the convergence dashboard: one series per pass. */
    private void record(PassReport r) {
        String pass = Integer.toString(r.pass());
        gauge("recurate.pass.input", "Documents the pass read", pass, r.version(), r.input());
        gauge("recurate.pass.kept", "Documents the pass kept", pass, r.version(), r.kept());
        gauge("recurate.pass.removed", "Documents the pass removed", pass, r.version(), r.removed());
        gauge("recurate.pass.restored", "Documents the previous pass removed and this one kept", pass, r.version(),
                r.restored());
        gauge("recurate.pass.removed.fraction", "Share of its source the pass removed", pass, r.version(), r.removedFraction());
        if (r.labelled()) {
            gauge("recurate.pass.violating.kept.fraction", "Labelled violating share of what the pass kept", pass,
                    r.version(), r.violatingInKept());
        }
    }

    private void gauge(String name, String description, String pass, String version, double value) {
        Gauge.builder(name, () -> value).description(description).tags("pass", pass, "model_version", version)
                .register(meters);
    }

    private void awaitModel(ModelLedger models, String version) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + Duration.ofHours(2).toNanos();
        long nextNotice = started + Duration.ofMinutes(1).toNanos();
        while (models.version(settings.modelName(), version).isEmpty()) {
            services.check();
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("Model " + version + " was not announced within 2 hours: is the trainer running?");
            }
            if (now > nextNotice) {
                // A user driving separate services sees why nothing moves, instead of a silent wait.
                log.info("Still waiting for the trainer to announce model {} after {} s (namespace {}): is a trainer "
                        + "worker running?", version, Duration.ofNanos(now - started).toSeconds(), topics.plan().namespace());
                nextNotice = now + Duration.ofMinutes(1).toNanos();
            }
            Thread.sleep(500);
        }
    }

    private PassStatus awaitScored(PassLedger passes, PassStatus status) throws InterruptedException {
        long total = status.getSourceEndOffsets().stream().mapToLong(r -> r.getEndOffset() - r.getStartOffset()).sum();
        long started = System.nanoTime();
        long lastInput = -1;
        long lastMove = started;
        long nextNotice = started + Duration.ofMinutes(1).toNanos();
        progress.started(status.getPass(), status.getModelVersion(), total);
        try (PassProgressReader reader = new PassProgressReader(kafkaConfig, topics, status.getPass(), null)) {
            while (true) {
                services.check();
                PassStatus latest = passes.latest(status.getPass()).orElse(null);
                if (latest != null && (latest.getState() == PassState.SCORED || latest.getState() == PassState.TRAINED)) {
                    progress.progress(latest.getCounts().getInput(), latest.getCounts().getKept(),
                            latest.getCounts().getRemoved());
                    return latest;
                }
                if (latest != null && latest.getState() == PassState.FAILED) {
                    throw new IllegalStateException("Pass " + status.getPass() + " failed: " + latest.getError());
                }
                reader.poll(Duration.ofMillis(200));
                PassCounts counts = reader.counts();
                long input = counts.getInput();
                progress.progress(input, counts.getKept(), counts.getRemoved());
                long now = System.nanoTime();
                if (input != lastInput) {
                    lastInput = input;
                    lastMove = now;
                }
                if (now > nextNotice) {
                    // Never a silent wait: say what the loop waits for and for how long nothing has moved.
                    log.info("Pass {} (model {}): {} of {} documents scored; {}waiting for a scorer on namespace {} for {} s",
                            status.getPass(), status.getModelVersion(), input, total,
                            now - lastMove > Duration.ofMinutes(1).toNanos()
                                    ? "no progress for " + Duration.ofNanos(now - lastMove).toSeconds()
                                    + " s; is a scorer running? " : "",
                            topics.plan().namespace(), Duration.ofNanos(now - started).toSeconds());
                    nextNotice = now + Duration.ofMinutes(1).toNanos();
                }
                Thread.sleep(1000);
            }
        } finally {
            progress.finished();
        }
    }

    /** Counts a pass's decisions (see {@link PassTally}); {@code removedNow} receives the ids it removed. */
    private PassReport report(PassStatus status, Set<Long> previousRemoved, Set<Long> removedNow, double seconds) {
        PassTally tally = new PassTally(settings.labels(), previousRemoved);
        read(topics.kept(status.getPass()), tally);
        read(topics.removed(status.getPass()), tally);
        removedNow.addAll(tally.removedNow());
        return tally.report(status, seconds);
    }

    /** A 64-bit fingerprint of an id (two independent 32-bit hashes): 10 million ids take about 500 MB less than the strings. */
    public static long fingerprint(String id) {
        byte[] b = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ((long) io.recurate.model.featurize.MurmurHash3.hash32(b, 0, b.length, 0x9747b28c) << 32)
                | (io.recurate.model.featurize.MurmurHash3.hash32(b, 0, b.length, 0x5bd1e995) & 0xffffffffL);
    }

    private <V> void read(Topic<String, V> topic, Consumer<V> each) {
        read(kafkaConfig, topic.name(), topic.valueSerde().deserializer(), each);
    }

    public static <V> void read(Map<String, Object> kafkaConfig, String topic, Deserializer<V> values, Consumer<V> each) {
        TopicScan.read(kafkaConfig, topic, values, each);
    }

    /** Labelled counts of the ingest topic: {acceptable, violating}. */
    public static long[] corpusLabels(Map<String, Object> kafkaConfig, RecurateTopics topics, GoldLabels labels) {
        long[] counts = new long[2];
        read(kafkaConfig, topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            Boolean violating = labels.violating(d.getMetadata());
            if (violating != null) {
                counts[violating ? 1 : 0]++;
            }
        });
        return counts;
    }
}
