package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.schemas.Document;
import io.recurate.serde.AvroDeserializer;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Undecodable records on a real topic: the error names topic, partition, offset and the cause. */
@ExtendWith(ClusterExtension.class)
class DeserializationErrorsIT {

    @Test
    void nonAvroBytesAreReportedWithTopicPartitionOffsetAndMagicByte(TestCluster cluster) {
        String topic = produceRaw(cluster, "not avro at all".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> readOne(cluster, topic))
                .isInstanceOf(RecordDeserializationException.class)
                .hasMessageContaining(topic + "-0")
                .hasMessageContaining("offset 0")
                .rootCause().hasMessageContaining("magic byte").hasMessageContaining("0x6e");
    }

    @Test
    void unknownSchemaIdIsReportedWithTheIdAndTheRegistry(TestCluster cluster) {
        byte[] record = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(0).array();
        String topic = produceRaw(cluster, record);
        assertThatThrownBy(() -> readOne(cluster, topic))
                .isInstanceOf(RecordDeserializationException.class)
                .hasMessageContaining(topic + "-0")
                .cause().hasMessageContaining("schema id 987654 is unknown").hasMessageContaining(cluster.registryUrl());
    }

    @Test
    void invalidUtf8InsideAStringIsRefusedNotSilentlyReplaced(TestCluster cluster) {
        String topic = produceRaw(cluster, Records.documentWithInvalidUtf8(cluster, TestCluster.uniqueNamespace("utf")));
        assertThatThrownBy(() -> readOne(cluster, topic))
                .isInstanceOf(RecordDeserializationException.class)
                .hasMessageContaining(topic + "-0")
                .hasMessageContaining("offset 0")
                .cause().hasMessageContaining("invalid UTF-8");
    }

    private static String produceRaw(TestCluster cluster, byte[] value) {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("bad"), 1, (short) 1);
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(List.of(plan.ingest()));
        }
        try (var producer = new KafkaProducer<>(cluster.kafkaConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(plan.ingest().name(), "k".getBytes(StandardCharsets.UTF_8), value));
            producer.flush();
        }
        return plan.ingest().name();
    }

    private static void readOne(TestCluster cluster, String topic) {
        Map<String, Object> config = cluster.kafkaConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroDeserializer<Document>(cluster.registryClient(), false, Document.getClassSchema()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                assertThat(consumer.poll(Duration.ofMillis(200)).count()).as("a bad record must not decode").isZero();
            }
        }
        throw new AssertionError("The bad record never arrived in " + topic);
    }
}
