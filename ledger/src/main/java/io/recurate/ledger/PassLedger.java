package io.recurate.ledger;

import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The passes of a namespace: {@code <ns>.passes}, one {@link PassStatus} per pass number (compacted). The
 * only code that reads or writes that topic; it keeps one reader open and reads only what is new.
 */
public final class PassLedger implements AutoCloseable {
    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final CompactedTopic<PassStatus> passes;

    public PassLedger(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.passes = new CompactedTopic<>(kafkaConfig, topics.passes());
    }

    /**
     * Starts a pass: creates its topics, records the source's end offsets (what the pass covers) and records it
     * RUNNING, pinned to one model version. Scorers follow the ledger and pick it up.
     */
    public PassStatus start(int pass, SourceMode mode, String sourceTopic, String modelName, String modelVersion,
                            float threshold) {
        PassStatus before = latest(pass).orElse(null);
        if (before != null && !PassLifecycle.isValidMove(before.getState(), PassState.RUNNING)) {
            throw new PassLifecycle.RefusedMoveException(before, before, PassState.RUNNING,
                    "Only a failed pass is started again (a new attempt); 'pass rerun " + pass + "' scores a finished one again.");
        }
        try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
            admin.ensure(topics.plan().passTopics(pass));
        }
        PassStatus status = PassStatus.newBuilder().setPass(pass).setState(PassState.RUNNING).setMode(mode)
                .setSourceTopic(sourceTopic).setModelName(modelName).setModelVersion(modelVersion).setThreshold(threshold)
                .setSourceEndOffsets(endOffsets(sourceTopic)).setCounts(new PassCounts(0L, 0L, 0L, 0L))
                .setStartedAt(Instant.now()).build();
        record(status);
        return status;
    }

    /** The attempt's scorer finished it: RUNNING → SCORED with its counts. */
    public PassStatus scored(PassStatus attempt, PassCounts counts) {
        return move(attempt, PassState.SCORED, b -> b.setCounts(counts).setFinishedAt(Instant.now()));
    }

    /** The attempt cannot be scored: RUNNING → FAILED with the reason (a later {@link #start} is a new attempt). */
    public PassStatus failed(PassStatus attempt, String error) {
        return move(attempt, PassState.FAILED, b -> b.setError(error).setFinishedAt(Instant.now()));
    }

    /** A trainer learned the next version from the attempt: SCORED → TRAINED. */
    public PassStatus trained(PassStatus attempt) {
        return move(attempt, PassState.TRAINED, b -> b);
    }

    /** {@code pass rerun} scored the attempt again: the same state, its new counts. */
    public PassStatus recounted(PassStatus attempt, PassCounts counts) {
        PassStatus latest = latestOf(attempt);
        PassStatus recounted = PassStatus.newBuilder(latest).setCounts(counts).setFinishedAt(Instant.now()).build();
        record(recounted);
        return recounted;
    }

    /**
     * Moves the attempt to {@code to} if the latest record allows it. A move already made (a second scorer of the
     * pass, a restarted one) writes nothing and returns the record; a move the lifecycle does not allow, or one of
     * an attempt that is no longer the latest, is refused.
     */
    private PassStatus move(PassStatus attempt, PassState to,
                            java.util.function.UnaryOperator<PassStatus.Builder> change) {
        PassStatus latest = latest(attempt.getPass()).orElse(null);
        if (PassLifecycle.decide(latest, attempt, to) == PassLifecycle.Outcome.MADE_ALREADY) {
            return latest;
        }
        PassStatus moved = change.apply(PassStatus.newBuilder(latest).setState(to)).build();
        record(moved);
        return moved;
    }

    private PassStatus latestOf(PassStatus attempt) {
        PassStatus latest = latest(attempt.getPass()).orElse(null);
        PassLifecycle.decide(latest, attempt, latest == null ? PassState.RUNNING : latest.getState());
        return latest;
    }

    /**
     * Writes a status as it is, whatever the ledger holds: for tests that set a pass up, and for repairs. Every other
     * write goes through a move.
     */
    public void record(PassStatus status) {
        passes.write(Integer.toString(status.getPass()), status);
    }

    /** The latest status of a pass, reading what is new first. */
    public Optional<PassStatus> latest(int pass) {
        passes.catchUp();
        return Optional.ofNullable(passes.latest().get(Integer.toString(pass)));
    }

    /** Every pass by number, reading what is new first. */
    public TreeMap<Integer, PassStatus> all() {
        passes.catchUp();
        TreeMap<Integer, PassStatus> out = new TreeMap<>();
        passes.latest().values().forEach(s -> out.put(s.getPass(), s));
        return out;
    }

    /** For followers (scorer, trainer): waits up to {@code timeout} and returns the statuses recorded since. */
    public List<PassStatus> follow(Duration timeout) {
        return passes.poll(timeout);
    }

    /** Ends a {@link #follow} in progress in another thread (with a {@code WakeupException}). */
    public void wakeup() {
        passes.wakeup();
    }

    /** The source's end offsets as a read-committed consumer sees them (aborted data excluded). */
    private List<OffsetRange> endOffsets(String topic) {
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            var begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
            var end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<OffsetRange> ranges = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                ranges.add(new OffsetRange(topic, tp.partition(), begin.get(tp), end.get(tp)));
            }
            ranges.sort(Comparator.comparingInt(OffsetRange::getPartition));
            return ranges;
        }
    }

    @Override
    public void close() {
        passes.close();
    }
}
