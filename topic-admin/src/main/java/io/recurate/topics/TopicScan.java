package io.recurate.topics;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic from its beginning to the end offsets it had when the scan started, committed records
 * only, without a consumer group. The end offsets are returned so an export can say exactly what it holds.
 */
public final class TopicScan {
    private static final Logger log = LoggerFactory.getLogger(TopicScan.class);

    private TopicScan() {
    }

    /** @return end offset per partition at the start of the scan */
    public static <V> Map<Integer, Long> read(Map<String, Object> kafkaConfig, String topic, Deserializer<V> values,
                                              Consumer<V> each) {
        return read(kafkaConfig, topic, new ByteArrayDeserializer(), values, (k, v) -> each.accept(v));
    }

    /** Values, tombstones left out. @return the offset ranges read, one per partition (for provenance) */
    public static <V> List<io.recurate.schemas.OffsetRange> readRanges(Map<String, Object> kafkaConfig, String topic,
                                                                       Deserializer<V> values, Consumer<V> each) {
        List<io.recurate.schemas.OffsetRange> ranges = new java.util.ArrayList<>();
        scan(kafkaConfig, topic, new ByteArrayDeserializer(), values, (k, v) -> each.accept(v),
                (partition, begin, end) -> ranges.add(new io.recurate.schemas.OffsetRange(topic, partition, begin, end)));
        return ranges;
    }

    /** Keys and values, tombstones left out. @return end offset per partition at the start of the scan */
    public static <K, V> Map<Integer, Long> read(Map<String, Object> kafkaConfig, String topic, Deserializer<K> keys,
                                                 Deserializer<V> values, BiConsumer<K, V> each) {
        Map<Integer, Long> out = new TreeMap<>();
        scan(kafkaConfig, topic, keys, values, each, (partition, begin, end) -> out.put(partition, end));
        return out;
    }

    private interface Ranges {
        void accept(int partition, long begin, long end);
    }

    private static <K, V> void scan(Map<String, Object> kafkaConfig, String topic, Deserializer<K> keys,
                                    Deserializer<V> values, BiConsumer<K, V> each, Ranges ranges) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "recurate-scan-" + UUID.randomUUID());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        try (var consumer = new KafkaConsumer<>(config, keys, values)) {
            var infos = ClusterWait.until("list the partitions of " + topic,
                    () -> consumer.partitionsFor(topic, Duration.ofSeconds(30)));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("Topic " + topic + " does not exist");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> begin = ClusterWait.until("read the first offsets of " + topic,
                    () -> consumer.beginningOffsets(partitions, Duration.ofSeconds(30)));
            Map<TopicPartition, Long> end = ClusterWait.until("read the end offsets of " + topic,
                    () -> consumer.endOffsets(partitions, Duration.ofSeconds(30)));
            // poll() waits out an outage by itself (it returns nothing), so a scan that gets nothing for a minute
            // says so; position() may time out, so it waits here.
            Instant quietSince = Instant.now();
            Instant said = null;
            while (partitions.stream().anyMatch(tp -> ClusterWait.until("read " + topic,
                    () -> consumer.position(tp, Duration.ofSeconds(30))) < end.get(tp))) {
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> {
                    if (r.value() != null && r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r.key(), r.value());
                    }
                });
                Instant now = Instant.now();
                if (!records.isEmpty()) {
                    if (said != null) {
                        log.info("The cluster answers again: read {} (waited {} s)", topic,
                                Duration.between(quietSince, now).toSeconds());
                    }
                    quietSince = now;
                    said = null;
                } else if (Duration.between(said == null ? quietSince : said, now).compareTo(ClusterWait.SAY_EVERY) >= 0) {
                    log.warn("Waiting for the cluster to read {} since {}: no record for {} s, still reading", topic,
                            ClusterWait.clock(quietSince), Duration.between(quietSince, now).toSeconds());
                    said = now;
                }
            }
            partitions.stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                    .forEach(tp -> ranges.accept(tp.partition(), begin.get(tp), end.get(tp)));
        }
    }
}
