package io.recurate.curation.versions;

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

    /**
     * Announces a bundle made elsewhere (trained on the user's own infrastructure, say) as {@code version}
     * of {@code name}, after the checks every served bundle passes: sha256, featurizer spec, ONNX Runtime
     * loads it, probes score as its manifest says.
     */
    public ModelVersion announceBundle(java.nio.file.Path dir, String name, String version) {
        io.recurate.model.bundle.ModelBundle.load(dir, new io.recurate.model.onnx.ScorerSettings(
                io.recurate.model.onnx.Device.CPU, 1, 64), null).close();
        var manifest = io.recurate.model.bundle.ModelBundle.open(dir).manifest();
        ModelVersion v = ModelVersion.newBuilder().setName(name).setVersion(version != null ? version : manifest.version())
                .setParentVersion(manifest.parentVersion()).setArtifactUri(dir.toAbsolutePath().toUri().toString())
                .setSha256(manifest.sha256()).setFeaturizerSpec(manifest.featurizer().toJson())
                .setThreshold(manifest.threshold()).setProvenance(provenance(manifest, dir))
                .setMetrics(manifest.metrics() == null ? Map.of() : manifest.metrics())
                .setCreatedAt(java.time.Instant.now()).build();
        if (all().containsKey(key(v))) {
            throw new IllegalArgumentException("Version " + v.getVersion() + " of " + name
                    + " exists already; versions are immutable (choose another)");
        }
        publish(v);
        return v;
    }

    /** The bundle's own provenance (how and on what it was trained), and where it was published from. */
    private static Map<String, String> provenance(io.recurate.model.bundle.Manifest manifest, java.nio.file.Path dir) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (manifest.provenance() != null) {
            out.putAll(manifest.provenance());
        }
        out.put("origin", "published from " + dir.toAbsolutePath());
        return out;
    }

    /** Makes {@code version} the one the next pass uses. */
    public void promote(ModelVersion version) {
        send(version.getName(), version);
    }

    /** Every version announced so far, by {@code <name>:<version>}. */
    public Map<String, ModelVersion> all() {
        Map<String, ModelVersion> out = new java.util.LinkedHashMap<>();
        io.recurate.topics.TopicScan.read(kafkaConfig, topics.models().name(), topics.models().valueSerde().deserializer(),
                v -> out.put(key(v), v));
        return out;
    }

    /** The promoted version of a model, if any; read from the records keyed by name alone. */
    public java.util.Optional<ModelVersion> promoted(String name) {
        ModelVersion[] current = new ModelVersion[1];
        io.recurate.topics.TopicScan.read(kafkaConfig, topics.models().name(), new org.apache.kafka.common.serialization.StringDeserializer(),
                topics.models().valueSerde().deserializer(),
                (k, v) -> {
                    if (name.equals(k)) {
                        current[0] = v;
                    }
                });
        return java.util.Optional.ofNullable(current[0]);
    }
}
