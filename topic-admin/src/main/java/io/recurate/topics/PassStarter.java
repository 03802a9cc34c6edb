package io.recurate.topics;

import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Starts a pass: creates its topics, records the source's end offsets (what the pass covers) and
 * publishes its {@code PassStatus} as RUNNING, pinned to one model version. Scorers follow
 * {@code <ns>.passes} and pick it up.
 */
public final class PassStarter {
    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;

    public PassStarter(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
    }

    public PassStatus start(int pass, SourceMode mode, String sourceTopic, String modelName, String modelVersion,
                            float threshold) {
        try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
            admin.ensure(topics.plan().passTopics(pass));
        }
        PassStatus status = PassStatus.newBuilder().setPass(pass).setState(PassState.RUNNING).setMode(mode)
                .setSourceTopic(sourceTopic).setModelName(modelName).setModelVersion(modelVersion).setThreshold(threshold)
                .setSourceEndOffsets(endOffsets(sourceTopic)).setCounts(new PassCounts(0L, 0L, 0L, 0L))
                .setStartedAt(Instant.now()).build();
        publish(status);
        return status;
    }

    /** Writes a pass status (any state) to the compacted passes topic, keyed by pass number. */
    public void publish(PassStatus status) {
        var passes = topics.passes();
        Map<String, Object> config = new java.util.HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, passes.keySerde().serializer(), passes.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(passes.name(), Integer.toString(status.getPass()), status))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot publish the status of pass " + status.getPass() + ": " + e.getMessage(), e);
        }
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
            ranges.sort(java.util.Comparator.comparingInt(OffsetRange::getPartition));
            return ranges;
        }
    }
}
