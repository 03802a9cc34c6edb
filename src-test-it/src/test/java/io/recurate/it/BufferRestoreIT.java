package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.ScorerService;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The batch buffer's changelog holds offsets, not documents: a scorer stopped with every record buffered hands the
 * pass to one with another state folder (as a failover to another machine does), which reads those records again
 * from the source and scores each of them once.
 */
@ExtendWith(ClusterExtension.class)
class BufferRestoreIT {
    private static final int DOCUMENTS = 300;

    @Test
    void recordsBufferedAtTheLastCommitAreReadAgainFromTheSourceAndScoredOnce(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "restore");
        List<String> ids = p.publishDocuments(DOCUMENTS);
        ModelVersion v1 = p.publishModel("v1", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                v1.getVersion(), 0.5f);

        // A batch larger than the pass and a wait longer than the test: everything read stays buffered.
        runUntilAllBuffered(p, config(p, p.home.resolve("streams-first"), 10_000, Duration.ofHours(1)));
        assertThat(p.decisions(1)).isEmpty();

        // Another state folder: the range comes from the changelog, and the restored records are scored at once.
        try (ScorerService service = new ScorerService(config(p, p.home.resolve("streams-second"), 64,
                Duration.ofMillis(50)), p.topics, cluster.registryClient(), new SimpleMeterRegistry(), 1)) {
            Thread run = Pipeline.runInBackground(service);
            run.join(Duration.ofMinutes(2).toMillis());
            assertThat(run.isAlive()).as("the second scorer finished pass 1").isFalse();
        }
        PassStatus status = p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));
        ScorerIT.assertExactlyOnce(p.decisions(1), ids);
        assertThat(status.getCounts().getInput()).isEqualTo(DOCUMENTS);
        assertThat(status.getCounts().getKept() + status.getCounts().getRemoved()).isEqualTo(DOCUMENTS);

        // What the changelog carried: ranges of 16 bytes and tombstones, never a document.
        String changelog = p.plan.namespace() + "-scorer-p1-unscored-offsets-changelog";
        var entries = p.readAll(changelog, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        assertThat(entries).isNotEmpty().allSatisfy(r -> assertThat(r.value() == null || r.value().length == 16).isTrue());
    }

    /** A pass an earlier build was scoring kept its buffer as documents in another store: refused, not resumed. */
    @Test
    void aPassWhoseBufferAnEarlierBuildKeptIsRefusedSayingHowToGoOn(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "oldbuffer");
        p.publishDocuments(10);
        ModelVersion v1 = p.publishModel("v1", 1);
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(List.of(new TopicSpec(p.plan.namespace() + "-scorer-p1-batch-buffer-changelog", 3, (short) 1,
                    Map.of("cleanup.policy", "compact"), null)));
        }
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                v1.getVersion(), 0.5f);
        try (ScorerService service = p.scorer(64, 1)) {
            Thread run = Pipeline.runInBackground(service);
            PassStatus failed = p.awaitPass(1, PassState.FAILED, Duration.ofMinutes(1));
            assertThat(failed.getError()).contains("earlier build", "batch-buffer-changelog",
                    "'recurate run' starts a failed pass again");
            run.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(p.decisions(1)).isEmpty();
    }

    private static ScorerServiceConfig config(Pipeline p, Path stateDir, int batch, Duration wait) {
        return new ScorerServiceConfig(p.cluster.kafkaConfig(), p.plan.namespace(), stateDir, true, 1,
                new BatchSettings(batch, wait), new ScorerSettings(Device.CPU, 1, 64), Duration.ofSeconds(10));
    }

    /** Runs a scorer until it has committed the input offsets of every document, then stops it cleanly. */
    private static void runUntilAllBuffered(Pipeline p, ScorerServiceConfig config) throws Exception {
        try (ScorerService service = new ScorerService(config, p.topics, p.cluster.registryClient(),
                new SimpleMeterRegistry(), 1);
             Admin admin = Admin.create(p.cluster.kafkaConfig())) {
            Thread run = Pipeline.runInBackground(service);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            long committed = 0;
            while (committed < DOCUMENTS && System.nanoTime() < deadline) {
                Pipeline.sleep(200);
                committed = admin.listConsumerGroupOffsets(p.plan.namespace() + "-scorer-p1").partitionsToOffsetAndMetadata()
                        .get().values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            }
            assertThat(committed).as("input offsets committed").isEqualTo(DOCUMENTS);
            service.close();
            run.join(Duration.ofMinutes(1).toMillis());
        }
    }
}
