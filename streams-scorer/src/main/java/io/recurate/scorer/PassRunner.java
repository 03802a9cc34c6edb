package io.recurate.scorer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.recurate.model.score.Scorer;
import io.recurate.registry.RegistryClient;
import io.recurate.ledger.PassProgressReader;
import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.PassStatus;
import io.recurate.service.Causes;
import io.recurate.topics.ClusterWait;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pass as its own Kafka Streams application, pinned to one model, and knows when it is
 * finished: the application's committed offsets have reached the source end offsets recorded at
 * pass start, and every partition's last committed progress says its buffer is empty.
 */
public final class PassRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PassRunner.class);

    private final ScorerServiceConfig config;
    private final RecurateTopics topics;
    private final PassStatus status;
    private final KafkaStreams streams;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final PassProgressReader progressReader;
    private final Admin admin;
    private final String applicationId;
    private final KafkaStreamsMetrics streamsMetrics;
    private final KafkaSourceRereader rereader;
    private final ExecutorService scoring;

    public PassRunner(ScorerServiceConfig config, RecurateTopics topics, RegistryClient registry, PassStatus status,
                      Supplier<Scorer> scorer) {
        this(config, topics, registry, status, PassContext.of(status), scorer, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** Runs {@code pass}, which may be a variant of {@code status}'s pass (a replay with another model). */
    public PassRunner(ScorerServiceConfig config, RecurateTopics topics, RegistryClient registry, PassStatus status,
                      PassContext pass, Supplier<Scorer> scorer, MeterRegistry meters) {
        this.config = config;
        this.topics = topics;
        this.status = status;
        this.applicationId = pass.applicationId(config.namespace());
        this.admin = Admin.create(config.kafkaConfig());
        if (!hasCommittedOffsets()) {
            // A pass started afresh (new, or again after it failed and was reset): local state an earlier
            // attempt left belongs to changelogs that no longer exist and must not be restored.
            if (java.nio.file.Files.isDirectory(config.stateDir().resolve(applicationId))) {
                log.info("Deleting local state {} left by an earlier attempt at this pass",
                        config.stateDir().resolve(applicationId));
                PassReset.localState(config.stateDir(), applicationId);
            }
        }
        try (TopicAdmin topicAdmin = new TopicAdmin(config.kafkaConfig())) {
            ClusterWait.until("create the topics of pass " + status.getPass(),
                    () -> topicAdmin.ensure(topics.plan().passTopics(status.getPass(), pass.variant())));
            refuseBufferOfEarlierBuild(topicAdmin);
        }
        this.rereader = new KafkaSourceRereader(config.kafkaConfig(), config.exactlyOnce());
        // Batches are scored here while the stream threads read and write on.
        this.scoring = Executors.newFixedThreadPool(config.scoringThreads(), scoringThreads(applicationId));
        this.streams = new KafkaStreams(ScoringTopology.build(pass, topics, registry, config.batch(), scorer, scoring,
                config.scoringThreads(), rereader, new ScorerMetrics(meters, pass.pass(), pass.modelVersion())),
                config.streamsProperties(applicationId));
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        StreamThreadFailures threadFailures = new StreamThreadFailures(status.getPass(), java.time.Clock.systemUTC());
        streams.setUncaughtExceptionHandler(e -> {
            StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = threadFailures.respond(e);
            if (response == StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT) {
                log.error("Pass {} stopped: {}", status.getPass(), Causes.describe(e), e);
                failure.set(e);
            }
            return response;
        });
        this.progressReader = new PassProgressReader(config.kafkaConfig(), topics, status.getPass(), pass.variant());
    }

    /**
     * Builds before issue 16 kept buffered documents whole in a store named "batch-buffer"; this build keeps their
     * offsets in another. A pass such a build was scoring when it stopped would lose what its buffer held, so it is
     * refused, saying how to go on.
     */
    private void refuseBufferOfEarlierBuild(TopicAdmin topicAdmin) {
        String changelog = applicationId + "-batch-buffer-changelog";
        boolean present = ClusterWait.until("list the topics", () -> topicAdmin.existingTopics().contains(changelog));
        if (present) {
            throw new IllegalStateException("Pass " + status.getPass() + " was being scored by an earlier build of the "
                    + "scorer, which kept its buffered documents in " + changelog + "; this build keeps offsets instead "
                    + "and cannot read it. Finish the pass with the earlier build, or let it fail: 'recurate run' starts a "
                    + "failed pass again from its source, with that topic deleted.");
        }
    }

    private static ThreadFactory scoringThreads(String applicationId) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, applicationId + "-scoring-" + count.incrementAndGet());
            thread.setDaemon(true); // never what keeps a stopping process alive; close() waits for it
            return thread;
        };
    }


    public void start() {
        log.info("Pass {}: scoring {} (threshold {}), application {}", status.getPass(), status.getSourceTopic(),
                status.getThreshold(), applicationId);
        streams.start();
    }

    private boolean hasCommittedOffsets() {
        try {
            return !admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .isEmpty();
        } catch (Exception e) {
            log.debug("Cannot read the committed offsets of {}: {}", applicationId, e.toString());
            return true; // keep local state when in doubt: restoring it is always correct for a resumed pass
        }
    }

    /** Waits until the pass is complete and returns its counts. */
    public PassCounts awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure.get() != null || streams.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("Pass " + status.getPass() + " failed: " + failure.get(), failure.get());
            }
            if (streams.state() == KafkaStreams.State.PENDING_SHUTDOWN || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("Pass " + status.getPass() + " was stopped before it finished");
            }
            Optional<PassCounts> counts = completion();
            if (counts.isPresent()) {
                return counts.get();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Pass " + status.getPass() + " did not finish within " + timeout);
    }

    /** Counts so far, from every partition's last committed progress. */
    public PassCounts countsSoFar() {
        progressReader.poll(Duration.ZERO);
        return progressReader.counts();
    }

    private Optional<PassCounts> completion() {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Cannot read committed offsets yet: {}", e.toString());
            return Optional.empty();
        }
        for (OffsetRange range : status.getSourceEndOffsets()) {
            if (range.getEndOffset() <= range.getStartOffset()) {
                continue; // an empty partition has nothing to wait for
            }
            OffsetAndMetadata offset = committed.get(new TopicPartition(range.getTopic(), range.getPartition()));
            if (offset == null || offset.offset() < range.getEndOffset()) {
                return Optional.empty();
            }
        }
        // The progress of everything committed so far is committed too (same transactions): read all of it.
        Map<Integer, PassProgress> progress = progressReader.readToEnd();
        for (OffsetRange range : status.getSourceEndOffsets()) {
            PassProgress p = progress.get(range.getPartition());
            long size = range.getEndOffset() - range.getStartOffset();
            if (p != null && p.getInput() > size) {
                // Never a silent wait on a count that cannot come down: say what is wrong and how to repair it.
                throw new IllegalStateException("Pass " + status.getPass() + " partition " + range.getPartition()
                        + " counts " + p.getInput() + " documents (" + p.getBuffered() + " buffered) of its " + size
                        + ": some were decided more than once. 'pass rerun " + status.getPass() + "' scores the pass again");
            }
        }
        if (progress.values().stream().anyMatch(p -> p.getBuffered() > 0)) {
            return Optional.empty();
        }
        return Optional.of(progressReader.counts());
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(60));
        scoring.shutdown(); // a batch of a closed task is not forwarded; wait for it, so the model outlives its use
        try {
            if (!scoring.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("Pass {}: a batch was still being scored 60 s after the pass closed", status.getPass());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rereader.close();
        streamsMetrics.close();
        progressReader.close();
        admin.close();
    }
}
