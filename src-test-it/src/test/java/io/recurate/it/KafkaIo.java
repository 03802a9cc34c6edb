package io.recurate.it;

import io.recurate.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/** Producing to and reading back from a real topic, as the tests need it. */
final class KafkaIo {
    private KafkaIo() {
    }

    static <K, V> void produce(TestCluster cluster, Topic<K, V> topic, Map<K, V> records) {
        Map<String, Object> config = cluster.kafkaConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 192L * 1024 * 1024); // room for 50 MB documents
        try (var producer = new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            var sent = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            records.forEach((k, v) -> sent.add(producer.send(new ProducerRecord<>(topic.name(), k, v))));
            producer.flush();
            for (var f : sent) {
                try {
                    f.get();
                } catch (Exception e) {
                    throw new AssertionError("Producing to " + topic.name() + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Reads until {@code expected} records arrived, or fails after {@code timeout}. */
    static <K, V> List<ConsumerRecord<K, V>> consume(TestCluster cluster, String topic, Deserializer<K> keys,
                                                     Deserializer<V> values, int expected, Duration timeout) {
        Map<String, Object> config = cluster.kafkaConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var consumer = new KafkaConsumer<>(config, keys, values)) {
            consumer.subscribe(List.of(topic));
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        if (out.size() < expected) {
            throw new AssertionError("Read " + out.size() + " of " + expected + " records from " + topic + " in " + timeout);
        }
        return out;
    }
}
