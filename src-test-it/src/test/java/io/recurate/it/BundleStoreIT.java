package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.ledger.BundleStore;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bundles kept in Kafka: written in chunks, read back byte for byte on another "host", damage refused. */
@ExtendWith(ClusterExtension.class)
class BundleStoreIT {
    @TempDir
    Path tmp;

    @Test
    void aBundleTravelsThroughKafkaByteForByteAndADamagedChunkIsRefused(TestCluster cluster) throws Exception {
        TopicPlan plan = new TopicPlan(TestCluster.uniqueNamespace("bundles"), 1, (short) 1);
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(List.of(plan.bundles()));
        }
        Path bundle = Files.createDirectories(tmp.resolve("trainer/v1"));
        byte[] big = new byte[2 * TopicPlan.BUNDLE_CHUNK_BYTES + 12_345]; // three chunks
        new Random(7).nextBytes(big);
        Files.write(bundle.resolve("model.onnx.data"), big);
        Files.writeString(bundle.resolve("manifest.json"), "{\"name\": \"filter\"}");
        Files.createDirectories(bundle.resolve("fold-0"));
        Files.write(bundle.resolve("fold-0/empty"), new byte[0]);

        BundleStore store = new BundleStore(cluster.kafkaConfig());
        String uri = store.upload(bundle, plan.bundles().name(), "filter/v1");
        assertThat(uri).isEqualTo("kafka:" + plan.bundles().name() + "/filter/v1");

        Path fetched = store.fetch(uri, tmp.resolve("scorer-cache"));
        assertThat(Files.readAllBytes(fetched.resolve("model.onnx.data"))).isEqualTo(big);
        assertThat(Files.readString(fetched.resolve("manifest.json"))).isEqualTo("{\"name\": \"filter\"}");
        assertThat(fetched.resolve("fold-0/empty")).exists().isEmptyFile();
        assertThat(store.fetch(uri, tmp.resolve("scorer-cache"))).as("downloaded once, then cached").isEqualTo(fetched);

        // A chunk overwritten with other bytes (compaction keeps the latest): the download is refused.
        Map<String, Object> config = new HashMap<>(cluster.kafkaConfig());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * TopicPlan.BUNDLE_CHUNK_BYTES);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> bad = new ProducerRecord<>(plan.bundles().name(), 0, "filter/v1/model.onnx.data#1",
                    "not the model".getBytes(StandardCharsets.UTF_8));
            bad.headers().add("recurate.chunks", "3".getBytes(StandardCharsets.UTF_8));
            bad.headers().add("recurate.sha256", "00".repeat(32).getBytes(StandardCharsets.UTF_8));
            producer.send(bad).get();
        }
        assertThatThrownBy(() -> store.fetch(uri, tmp.resolve("other-host")))
                .hasMessageContaining("model.onnx.data has sha256");
        assertThat(tmp.resolve("other-host").resolve(plan.bundles().name()).resolve("filter/v1")).doesNotExist();
        assertThatThrownBy(() -> store.fetch("kafka:" + plan.bundles().name() + "/filter/v9", tmp.resolve("c")))
                .hasMessageContaining("is not (or not completely) in");
    }
}
