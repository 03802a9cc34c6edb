package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.Topic;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClusterExtension.class)
class RecordRoundTripIT {

    @Test
    void everyRecordTypeSurvivesARealTopicUnchanged(TestCluster cluster) {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("roundtrip"), 3, (short) 1);
        RecurateTopics topics = new RecurateTopics(plan, new RecurateSerdes(cluster.registryClient()));
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(plan.baseTopics());
            admin.ensure(plan.passTopics(2));
        }

        roundTrip(cluster, topics.ingest(), Map.of("d1", Records.document("d1", "plain text"),
                "d2", Records.document("d2", "Ünïcödé ✓ 日本語 🙂"), "d3", Records.document("d3", "")));
        roundTrip(cluster, topics.kept(2), Map.of("d1", Records.scored("d1")));
        roundTrip(cluster, topics.removed(2), Map.of("d2", Records.scored("d2")));
        roundTrip(cluster, topics.annotations(), Map.of("d1", Records.annotation("d1")));
        roundTrip(cluster, topics.models(), Map.of("filter", Records.modelVersion()));
        roundTrip(cluster, topics.passes(), Map.of("2", Records.passStatus()));
    }

    @Test
    void aLargeDocumentFitsThePlannedTopics(TestCluster cluster) {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("large"), 1, (short) 1);
        RecurateTopics topics = new RecurateTopics(plan, new RecurateSerdes(cluster.registryClient()));
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(List.of(plan.ingest()));
        }
        String text = "word ".repeat(10 * 1024 * 1024 / 5); // 10 MB of text
        roundTrip(cluster, topics.ingest(), Map.of("big", Records.document("big", text)));
    }

    private static <V> void roundTrip(TestCluster cluster, Topic<String, V> topic, Map<String, V> records) {
        KafkaIo.produce(cluster, topic, new LinkedHashMap<>(records));
        List<ConsumerRecord<String, V>> read = KafkaIo.consume(cluster, topic.name(), topic.keySerde().deserializer(),
                topic.valueSerde().deserializer(), records.size(), Duration.ofSeconds(60));
        Map<String, V> byKey = new LinkedHashMap<>();
        read.forEach(r -> byKey.put(r.key(), r.value()));
        assertThat(byKey).as("records read back from %s", topic.name()).isEqualTo(records);
    }
}
