package io.recurate.scorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * What the scorer reports about one pass: documents scored, kept, removed and sent to the DLQ, and
 * the size and latency of its batches. Tagged by pass and model version, so dashboards can show
 * drop rates per pass.
 */
public final class ScorerMetrics {
    private final Counter scored;
    private final Counter kept;
    private final Counter removed;
    private final Counter dlq;
    private final DistributionSummary batchSize;
    private final Timer batchLatency;
    private final Timer scoringWait;
    private final Counter revived;
    private final Counter reread;

    public ScorerMetrics(MeterRegistry registry, int pass, String modelVersion) {
        String p = Integer.toString(pass);
        this.scored = counter(registry, "recurate.documents.scored", "Documents scored", p, modelVersion);
        this.kept = counter(registry, "recurate.documents.kept", "Documents kept", p, modelVersion);
        this.removed = counter(registry, "recurate.documents.removed", "Documents removed", p, modelVersion);
        this.dlq = counter(registry, "recurate.documents.dlq", "Records sent to the dead-letter topic", p, modelVersion);
        this.batchSize = DistributionSummary.builder("recurate.scorer.batch.size").description("Records per scored batch")
                .tags("pass", p, "model_version", modelVersion).publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(4096.0).register(registry);
        this.batchLatency = Timer.builder("recurate.scorer.batch.latency")
                .description("Time to decode, featurize and score one batch and make its records, on the scoring thread")
                .tags("pass", p, "model_version", modelVersion).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.scoringWait = Timer.builder(SCORING_WAIT).description("Time a stream thread waited for a partition's "
                        + "batch on the scoring thread; a large share of the pass's time says scoring is the bottleneck")
                .tags("pass", p, "model_version", modelVersion).register(registry);
        this.revived = counter(registry, REVIVED, "Tasks Kafka Streams closed and started again in this process "
                + "(a commit that failed as corrupted, e.g. across a broker outage)", p, modelVersion);
        this.reread = counter(registry, "recurate.scorer.records.reread", "Records buffered at a task's last commit and "
                + "read again from the source when the task started again", p, modelVersion);
    }

    /** The name of the counter of revived tasks. */
    public static final String REVIVED = "recurate.scorer.tasks.revived";

    /** The name of the scoring-wait timer. */
    public static final String SCORING_WAIT = "recurate.scorer.scoring.wait";

    /** For tests that do not look at metrics. */
    public static ScorerMetrics none(int pass, String modelVersion) {
        return new ScorerMetrics(new SimpleMeterRegistry(), pass, modelVersion);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String pass, String version) {
        return Counter.builder(name).description(description).tags("pass", pass, "model_version", version)
                .register(registry);
    }

    /** A task started again: {@code revivedHere} when this process ran it before; {@code records} read again. */
    void taskStarted(boolean revivedHere, int records) {
        if (revivedHere) {
            revived.increment();
        }
        reread.increment(records);
    }

    void waitedForScoring(long nanos) {
        scoringWait.record(Duration.ofNanos(nanos));
    }

    void batch(int size, long nanos, long keptCount, long removedCount, long dlqCount) {
        batchSize.record(size);
        batchLatency.record(Duration.ofNanos(nanos));
        scored.increment(keptCount + removedCount);
        kept.increment(keptCount);
        removed.increment(removedCount);
        dlq.increment(dlqCount);
    }
}
