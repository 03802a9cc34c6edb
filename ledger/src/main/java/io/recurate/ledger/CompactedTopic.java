package io.recurate.ledger;

import io.recurate.topics.ClusterWait;
import io.recurate.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One compacted, single-partition topic of the control plane, held as its latest value per key: one
 * long-lived consumer that reads what is new (committed records only), one producer that writes with
 * {@code acks=all} and waits. Not thread-safe: each thread that follows the topic has its own.
 */
final class CompactedTopic<V> implements AutoCloseable {
    private final Map<String, Object> kafkaConfig;
    private final Topic<String, V> topic;
    private final KafkaConsumer<String, V> consumer;
    private final TopicPartition partition;
    private final Map<String, V> latest = new LinkedHashMap<>();
    private KafkaProducer<String, V> producer;

    CompactedTopic(Map<String, Object> kafkaConfig, Topic<String, V> topic) {
        this.kafkaConfig = kafkaConfig;
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "recurate-ledger-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        this.partition = new TopicPartition(topic.name(), 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    String name() {
        return topic.name();
    }

    /**
     * Reads to the current end of the topic (so a caller sees every write made before the call); waits out a
     * broker outage however long it lasts.
     */
    List<V> catchUp() {
        long end = ClusterWait.until("read the end of " + topic.name(),
                () -> consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition));
        List<V> fresh = new ArrayList<>();
        while (ClusterWait.until("read " + topic.name(), () -> consumer.position(partition, Duration.ofSeconds(30))) < end) {
            fresh.addAll(poll(Duration.ofMillis(200)));
        }
        return fresh;
    }

    /** Waits up to {@code timeout} for new records; returns the new values (tombstones left out). */
    List<V> poll(Duration timeout) {
        List<V> fresh = new ArrayList<>();
        consumer.poll(timeout).forEach(r -> {
            if (r.value() == null) {
                latest.remove(r.key());
            } else {
                latest.put(r.key(), r.value());
                fresh.add(r.value());
            }
        });
        return fresh;
    }

    /** The latest value per key, as of the last read. */
    Map<String, V> latest() {
        return latest;
    }

    void write(String key, V value) {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(kafkaConfig);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producer = new KafkaProducer<>(config, topic.keySerde().serializer(), topic.valueSerde().serializer());
        }
        // During an outage the record waits in the producer (and is sent again after its delivery timeout): the
        // topic is compacted and the value is the key's whole state, so a second copy changes nothing.
        ClusterWait.until("write " + key + " to " + topic.name(), () -> {
            try {
                return producer.send(new ProducerRecord<>(topic.name(), key, value)).get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while writing " + key + " to " + topic.name(), e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new org.apache.kafka.common.errors.TimeoutException("no acknowledgement in 60 s", e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (ClusterWait.isOutage(e.getCause())) {
                    throw new org.apache.kafka.common.errors.TimeoutException(e.getCause().getMessage(), e.getCause());
                }
                throw new IllegalStateException("Cannot write " + key + " to " + topic.name() + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        });
    }

    /** Makes a {@link #poll} in progress in another thread return (a follower being stopped). */
    void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
