package io.recurate.curation.versions;

import io.recurate.schemas.OffsetRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads a whole topic as it is now (read_committed, to the end offsets taken at the start). */
final class TopicReader {
    private TopicReader() {
    }

    /** Calls {@code each} for every committed value and returns the offset ranges read. */
    static <V> List<OffsetRange> readAll(Map<String, Object> kafkaConfig, String topic, Deserializer<V> values,
                                         Consumer<V> each) {
        return readAllRecords(kafkaConfig, topic, values, (key, value) -> each.accept(value));
    }

    /** Calls {@code each} with the (string) key and value of every committed record. */
    static <V> List<OffsetRange> readAllRecords(Map<String, Object> kafkaConfig, String topic, Deserializer<V> values,
                                                java.util.function.BiConsumer<String, V> each) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        List<OffsetRange> ranges = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new org.apache.kafka.common.serialization.ByteArrayDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                        each.accept(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                                r.value());
                    }
                });
            }
            for (TopicPartition tp : partitions) {
                ranges.add(new OffsetRange(topic, tp.partition(), begin.get(tp), end.get(tp)));
            }
        }
        return ranges;
    }
}
