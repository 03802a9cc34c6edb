package io.recurate.cli.loop;

import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.PassStarter;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.Topic;
import io.recurate.trainer.ModelPublisher;
import io.recurate.trainer.PassTrainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator: model 0 from the constitution, then pass after pass (start it pinned to the
 * latest version, wait for the scorer, wait for the trainer's next version) until a pass removes less
 * than delta of its source or the maximum number of passes is reached. Scorer and trainer run
 * elsewhere (in this process in embedded mode, or as their own services); this class only talks
 * through the topics.
 */
public final class LoopRunner {
    private static final Logger log = LoggerFactory.getLogger(LoopRunner.class);

    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final LoopSettings settings;
    private final PassTrainer trainer;
    private final PrintWriter out;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final ServiceHealth services;

    public LoopRunner(Map<String, Object> kafkaConfig, RecurateTopics topics, LoopSettings settings, PassTrainer trainer,
                      PrintWriter out, io.micrometer.core.instrument.MeterRegistry meters, ServiceHealth services) {
        this.meters = meters;
        this.services = services;
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.settings = settings;
        this.trainer = trainer;
        this.out = out;
    }

    public List<PassReport> run() throws InterruptedException {
        ModelPublisher models = new ModelPublisher(kafkaConfig, topics);
        String v0 = PassTrainer.versionAfter(0);
        if (!models.all().containsKey(settings.modelName() + ":" + v0)) {
            out.println("Training " + v0 + " from the constitution...");
            out.flush();
            trainer.trainInitial(TrainingListener.NONE);
        }
        PassStarter passes = new PassStarter(kafkaConfig, topics);
        List<PassReport> reports = new ArrayList<>();
        for (int n = 1; n <= settings.maxPasses(); n++) {
            awaitModel(models, PassTrainer.versionAfter(n - 1));
            // The promoted version: the one just trained, unless someone promoted another since.
            String version = models.promoted(settings.modelName()).map(v -> v.getVersion())
                    .orElse(PassTrainer.versionAfter(n - 1));
            String source = n == 1 || settings.mode() == SourceMode.FULL ? topics.plan().ingest().name()
                    : topics.plan().kept(n - 1).name();
            PassStatus existing = latestStatus(n);
            if (existing != null && existing.getState() == PassState.FAILED) {
                out.printf("Pass %d failed before: %s%nStarting pass %d again from its source with model %s%n", n,
                        existing.getError(), n, version);
                out.flush();
                resetFailed(n);
                existing = null;
            }
            long started = System.nanoTime();
            float tau = existing != null ? existing.getThreshold()
                    : settings.budget() == null ? settings.threshold() : budgetThreshold(models, version, source);
            PassStatus status = existing != null ? existing
                    : passes.start(n, settings.mode(), source, settings.modelName(), version, tau);
            java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(
                    status.getState().ordinal());
            io.micrometer.core.instrument.Gauge.builder("recurate.pass.state", state, java.util.concurrent.atomic.AtomicInteger::get)
                    .description("State of the pass: 0 planned, 1 running, 2 scored, 3 trained, 4 failed")
                    .tags("pass", Integer.toString(n), "model_version", version).register(meters);
            PassStatus scored = awaitScored(status);
            state.set(scored.getState().ordinal());
            PassReport report = report(scored, (System.nanoTime() - started) / 1e9);
            reports.add(report);
            record(report);
            out.printf("Pass %d (%s, %s, tau %.4f): input %d, kept %d, removed %d (%.2f%%), dlq %d%s%n", n, version,
                    source, status.getThreshold(), report.input(), report.kept(), report.removed(), 100 * report.removedFraction(), report.dlq(),
                    report.labelled() ? String.format(", violating in kept %.2f%%", 100 * report.violatingInKept()) : "");
            out.flush();
            if (report.removedFraction() < settings.delta()) {
                out.printf("Converged: pass %d removed %.4f%% < delta %.4f%%: the corpus is self-consistent%n", n,
                        100 * report.removedFraction(), 100 * settings.delta());
                break;
            }
            if (n == settings.maxPasses()) {
                out.printf("Stopped after --max-passes %d%n", n);
            }
        }
        return reports;
    }

    /**
     * The threshold that removes the budget's share of the source: the (1 - q) quantile of the
     * source's scores under the pass's model (scored here on up to 200,000 sampled documents).
     */
    private float budgetThreshold(ModelPublisher models, String version, String source) {
        var mv = models.all().get(settings.modelName() + ":" + version);
        List<String> texts = new ArrayList<>();
        java.util.Random random = new java.util.Random(17);
        long[] seen = {0};
        Consumer<String> sample = t -> {
            seen[0]++;
            if (texts.size() < 200_000) {
                texts.add(t);
            } else {
                long j = (long) (random.nextDouble() * seen[0]);
                if (j < texts.size()) {
                    texts.set((int) j, t);
                }
            }
        };
        if (source.equals(topics.plan().ingest().name())) {
            read(topics.ingest(), d -> sample.accept(d.getText()));
        } else {
            read(kafkaConfig, source, topics.kept(1).valueSerde().deserializer(),
                    (ScoredDocument d) -> sample.accept(d.getDocument().getText()));
        }
        try (var scorer = io.recurate.model.bundle.ModelBundle.load(java.nio.file.Path.of(java.net.URI.create(mv.getArtifactUri())),
                new io.recurate.model.onnx.ScorerSettings(io.recurate.model.onnx.Device.AUTO, 0, 1024),
                io.recurate.model.featurize.FeaturizerSpec.fromJson(mv.getFeaturizerSpec()))) {
            float[] scores = scorer.score(texts);
            java.util.Arrays.sort(scores);
            int keep = (int) Math.floor(scores.length * (1 - settings.budget()));
            float tau = keep >= scores.length ? Math.nextUp(scores[scores.length - 1]) : scores[keep];
            log.info("Budget {}: threshold {} removes the top {} of {} scored documents", settings.budget(), tau,
                    scores.length - keep, scores.length);
            return tau;
        }
    }

    /** Pass results as gauges, for the convergence dashboard: one series per pass. */
    private void record(PassReport r) {
        String pass = Integer.toString(r.pass());
        gauge("recurate.pass.input", "Documents the pass read", pass, r.version(), r.input());
        gauge("recurate.pass.kept", "Documents the pass kept", pass, r.version(), r.kept());
        gauge("recurate.pass.removed", "Documents the pass removed", pass, r.version(), r.removed());
        gauge("recurate.pass.removed.fraction", "Share of its source the pass removed", pass, r.version(), r.removedFraction());
        if (r.labelled()) {
            gauge("recurate.pass.violating.kept.fraction", "Labelled violating share of what the pass kept", pass,
                    r.version(), r.violatingInKept());
        }
    }

    private void gauge(String name, String description, String pass, String version, double value) {
        io.micrometer.core.instrument.Gauge.builder(name, () -> value).description(description)
                .tags("pass", pass, "model_version", version).register(meters);
    }

    /**
     * Clears what a failed attempt at pass {@code n} left (its streams application and its topics), so
     * that it starts again from its source. Refused while a scorer still runs the pass.
     */
    private void resetFailed(int n) {
        try (io.recurate.topics.TopicAdmin admin = new io.recurate.topics.TopicAdmin(kafkaConfig)) {
            admin.resetApplication(io.recurate.scorer.PassContext.applicationId(topics.plan().namespace(), n));
            admin.deleteTopics(topics.plan().passTopics(n));
        }
    }

    private void awaitModel(ModelPublisher models, String version) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + Duration.ofHours(2).toNanos();
        long nextNotice = started + Duration.ofMinutes(1).toNanos();
        while (!models.all().containsKey(settings.modelName() + ":" + version)) {
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

    private PassStatus awaitScored(PassStatus status) throws InterruptedException {
        long total = status.getSourceEndOffsets().stream().mapToLong(r -> r.getEndOffset() - r.getStartOffset()).sum();
        long started = System.nanoTime();
        long lastInput = -1;
        long lastMove = started;
        long nextNotice = started + Duration.ofMinutes(1).toNanos();
        try (ProgressBar bar = io.recurate.cli.Progress.bar("Pass " + status.getPass(), total, " docs")) {
            while (true) {
                services.check();
                PassStatus latest = latestStatus(status.getPass());
                if (latest != null && (latest.getState() == PassState.SCORED || latest.getState() == PassState.TRAINED)) {
                    bar.stepTo(latest.getCounts().getInput());
                    return latest;
                }
                if (latest != null && latest.getState() == PassState.FAILED) {
                    throw new IllegalStateException("Pass " + status.getPass() + " failed: " + latest.getError());
                }
                Map<String, PassProgress> progress = new HashMap<>();
                read(topics.progress(status.getPass()), p -> progress.put(p.getSourceTopic() + p.getPartition(), p));
                long input = progress.values().stream().mapToLong(PassProgress::getInput).sum();
                long kept = progress.values().stream().mapToLong(PassProgress::getKept).sum();
                long removed = progress.values().stream().mapToLong(PassProgress::getRemoved).sum();
                bar.stepTo(input);
                bar.setExtraMessage(" kept " + kept + ", removed " + removed);
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
                                    ? "no progress for " + Duration.ofNanos(now - lastMove).toSeconds() + " s; is a scorer running? " : "",
                            topics.plan().namespace(), Duration.ofNanos(now - started).toSeconds());
                    nextNotice = now + Duration.ofMinutes(1).toNanos();
                }
                Thread.sleep(1000);
            }
        }
    }

    private PassStatus latestStatus(int pass) {
        PassStatus[] latest = new PassStatus[1];
        read(topics.passes(), s -> {
            if (s.getPass() == pass) {
                latest[0] = s;
            }
        });
        return latest[0];
    }

    /** Counts a pass's decisions by the corpus's labels, when it has them. */
    private PassReport report(PassStatus status, double seconds) {
        long[] counts = new long[4]; // violating kept, violating removed, acceptable kept, acceptable removed
        boolean[] labelled = {false};
        Consumer<ScoredDocument> tally = d -> {
            String label = d.getDocument().getMetadata().get("label");
            if (label != null) {
                labelled[0] = true;
                boolean violating = label.equals("violating");
                boolean kept = d.getDecision() == io.recurate.schemas.Decision.KEPT;
                counts[(violating ? 0 : 2) + (kept ? 0 : 1)]++;
            }
        };
        read(topics.kept(status.getPass()), tally);
        read(topics.removed(status.getPass()), tally);
        var c = status.getCounts();
        return new PassReport(status.getPass(), status.getModelVersion(), c.getInput(), c.getKept(), c.getRemoved(),
                c.getDlq(), labelled[0] ? counts[0] : -1, counts[1], counts[2], counts[3], seconds);
    }

    private <V> void read(Topic<String, V> topic, Consumer<V> each) {
        read(kafkaConfig, topic.name(), topic.valueSerde().deserializer(), each);
    }

    public static <V> void read(Map<String, Object> kafkaConfig, String topic, Deserializer<V> values, Consumer<V> each) {
        io.recurate.cli.corpus.TopicScan.read(kafkaConfig, topic, values, each);
    }

    /**
     * Prints the final table; with labels also the theory's prediction from the measured r and f, which
     * compounds only when each pass filters what the previous one kept (nested mode).
     */
    public static void printTable(PrintWriter out, List<PassReport> reports, long corpusAcceptable, long corpusViolating,
                                  boolean nested) {
        boolean labelled = reports.stream().anyMatch(PassReport::labelled);
        out.println();
        out.printf("%-5s %-8s %9s %9s %9s %9s%s%n", "pass", "model", "input", "kept", "removed", "removed%",
                labelled ? String.format(" %11s %11s %9s %9s %10s %11s", "violating%k", "theory v%k", "recall r", "fpr f",
                        "benign ret", "theory ret") : "");
        double theoryRetention = 1;
        double total = corpusAcceptable + corpusViolating;
        double theoryOdds = corpusAcceptable == 0 ? Double.NaN : (double) corpusViolating / corpusAcceptable;
        for (PassReport r : reports) {
            String extra = "";
            if (labelled) {
                // DESIGN.md: violating odds fall by (1 - r)/(1 - f) per pass; benign retention is prod(1 - f).
                theoryRetention *= (1 - r.falsePositiveRate());
                theoryOdds *= (1 - r.recall()) / (1 - r.falsePositiveRate());
                double benign = corpusAcceptable == 0 ? Double.NaN : (double) r.acceptableKept() / corpusAcceptable;
                extra = String.format(" %10.2f%% %11s %9.4f %9.4f %9.2f%% %11s", 100 * r.violatingInKept(),
                        nested ? String.format("%.2f%%", 100 * theoryOdds / (1 + theoryOdds)) : "-", r.recall(),
                        r.falsePositiveRate(), 100 * benign, nested ? String.format("%.2f%%", 100 * theoryRetention) : "-");
            }
            out.printf("%-5d %-8s %9d %9d %9d %8.2f%%%s%n", r.pass(), r.modelVersion(), r.input(), r.kept(), r.removed(),
                    100 * r.removedFraction(), extra);
        }
        if (labelled && total > 0) {
            out.printf("Corpus: %d documents, %.2f%% violating.%s%n", corpusAcceptable + corpusViolating,
                    100.0 * corpusViolating / (corpusAcceptable + corpusViolating), nested
                            ? " Theory (nested passes): benign retention after t passes is prod(1 - f_i); violating odds "
                            + "fall by (1 - r)/(1 - f) per pass."
                            : " Full mode: every pass rescores the whole corpus, so the theory's per-pass decay does not compound.");
        }
        out.flush();
    }

    /** Labelled counts of the ingest topic: {acceptable, violating}. */
    public static long[] corpusLabels(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        long[] counts = new long[2];
        read(kafkaConfig, topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            String label = d.getMetadata().get("label");
            if ("acceptable".equals(label)) {
                counts[0]++;
            } else if ("violating".equals(label)) {
                counts[1]++;
            }
        });
        return counts;
    }
}
