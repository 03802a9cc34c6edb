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
 * Announces model versions on {@code <ns>.models}. Each version is keyed {@code <name>:<version>}, so
 * compaction keeps every version (a rerun by replay needs old ones); the record keyed by the name
 * alone is the promoted version, the one the next pass uses.
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
        send(key(version), version);
    }

    private void send(String key, ModelVersion version) {
        var models = topics.models();
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, models.keySerde().serializer(), models.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(models.name(), key, version)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot publish model " + key + ": " + e.getMessage(), e);
        }
    }

    /** Makes {@code version} the one the next pass uses. */
    public void promote(ModelVersion version) {
        send(version.getName(), version);
    }

    /** Every version announced so far, by {@code <name>:<version>}. */
    public Map<String, ModelVersion> all() {
        Map<String, ModelVersion> out = new java.util.LinkedHashMap<>();
        TopicReader.readAll(kafkaConfig, topics.models().name(), topics.models().valueSerde().deserializer(),
                v -> out.put(key(v), v));
        return out;
    }

    /** The promoted version of a model, if any; read from the records keyed by name alone. */
    public java.util.Optional<ModelVersion> promoted(String name) {
        ModelVersion[] current = new ModelVersion[1];
        TopicReader.readAllRecords(kafkaConfig, topics.models().name(), topics.models().valueSerde().deserializer(),
                (k, v) -> {
                    if (name.equals(k)) {
                        current[0] = v;
                    }
                });
        return java.util.Optional.ofNullable(current[0]);
    }
}
