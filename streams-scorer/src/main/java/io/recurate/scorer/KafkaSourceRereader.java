package io.recurate.scorer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a restored buffer's records from the source with consumers of its own (no group, nothing committed), at
 * the isolation level the stream thread reads with, so that it sees exactly the records the task saw. Each stream
 * thread gets one consumer, kept for the tasks it restores next (a consumer's first read costs its metadata).
 */
final class KafkaSourceRereader implements SourceRereader, AutoCloseable {
    /** How long a read may bring nothing before it gives up (the stream thread is then replaced and tries again). */
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private final Map<String, Object> config;
    private final Map<Thread, KafkaConsumer<byte[], byte[]>> consumers = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param clientConfig the cluster's client settings
     * @param exactlyOnce  read committed records only, as a stream thread under exactly_once_v2 does
     */
    KafkaSourceRereader(Map<String, Object> clientConfig, boolean exactlyOnce) {
        this.config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, exactlyOnce ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024); // documents up to 64 MiB
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
    }

    @Override
    public List<BufferedRecord> read(String topic, int partition, UnscoredRange range) {
        TopicPartition tp = new TopicPartition(topic, partition);
        KafkaConsumer<byte[], byte[]> consumer = consumers.computeIfAbsent(Thread.currentThread(),
                t -> new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        try {
            consumer.assign(List.of(tp));
            long logStart = consumer.beginningOffsets(List.of(tp)).get(tp);
            if (logStart > range.first()) {
                throw new IllegalStateException("Offsets " + range.first() + " to " + (Math.min(logStart, range.next()) - 1)
                        + " of " + tp + " were read but not yet scored when this pass's scorer last committed, and the "
                        + "source no longer holds them (its log now starts at offset " + logStart + ": retention or "
                        + "deleted records). They cannot be scored; keep a pass's source topic for longer than the pass.");
            }
            consumer.seek(tp, range.first());
            List<BufferedRecord> records = new ArrayList<>((int) Math.min(range.count(), 1 << 16));
            long lastRecordAt = System.nanoTime();
            while (consumer.position(tp) < range.next()) {
                var polled = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : polled.records(tp)) {
                    if (r.offset() < range.next()) {
                        records.add(BufferedRecord.of(r));
                    }
                }
                if (!polled.isEmpty()) {
                    lastRecordAt = System.nanoTime();
                } else if (System.nanoTime() - lastRecordAt > PATIENCE.toNanos()) {
                    throw new TimeoutException("Reading offsets " + range.first() + " to " + (range.next() - 1) + " of " + tp
                            + " again (the records buffered at the last commit) brought nothing for " + PATIENCE.toSeconds()
                            + " s, at offset " + consumer.position(tp));
                }
            }
            consumer.unsubscribe();
            return records;
        } catch (RuntimeException e) {
            consumers.remove(Thread.currentThread()); // a thread that takes over starts with a new consumer
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Once the streams client is closed: no stream thread reads any more. */
    @Override
    public void close() {
        consumers.values().forEach(KafkaConsumer::close);
        consumers.clear();
    }
}
