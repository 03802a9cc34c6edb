package io.recurate.trainer;

import io.recurate.schemas.ModelVersion;
import io.recurate.topics.RecurateTopics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Announces model versions on {@code <ns>.models}. Records are keyed {@code <name>:<version>}, not by
 * name alone: the topic is compacted, and a pass pinned to an older version (a rerun by replay) must
 * still find that version after compaction.
 */
public final class ModelPublisher {
    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;

    public ModelPublisher(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
    }

    public static String key(ModelVersion version) {
        return version.getName() + ":" + version.getVersion();
    }

    public void publish(ModelVersion version) {
        var models = topics.models();
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, models.keySerde().serializer(), models.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(models.name(), key(version), version)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot publish model " + key(version) + ": " + e.getMessage(), e);
        }
    }

    /** Every version announced so far, by key. */
    public Map<String, ModelVersion> all() {
        Map<String, ModelVersion> out = new java.util.LinkedHashMap<>();
        TopicReader.readAll(kafkaConfig, topics.models().name(), topics.models().valueSerde().deserializer(),
                v -> out.put(key(v), v));
        return out;
    }
}
