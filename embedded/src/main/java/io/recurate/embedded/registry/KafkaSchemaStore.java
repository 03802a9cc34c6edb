package io.recurate.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.registry.CompatibilityLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's operations over its state, persisted in a compacted Kafka topic in the record
 * layout Confluent's registry uses (JSON keys {@code {"keytype":"SCHEMA","subject","version","magic":1}}
 * and {@code {"keytype":"CONFIG","subject","magic":0}}), so the topic reads like Confluent's. A single
 * writer: every change is written to Kafka and acknowledged before it is applied and answered.
 */
final class KafkaSchemaStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    /** Null for a store that lives in memory only (unit tests of code that needs a registry). */
    private final KafkaProducer<byte[], byte[]> producer;
    private final SchemaRegistryState state = new SchemaRegistryState();

    private KafkaSchemaStore(String topic, KafkaProducer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    /** A store with no Kafka behind it: ids last as long as the process. */
    static KafkaSchemaStore inMemory() {
        return new KafkaSchemaStore("(memory)", null);
    }

    /** Creates the topic if needed and replays it into memory. */
    static KafkaSchemaStore open(Map<String, Object> kafkaConfig, String topic, short replication) {
        ensureTopic(kafkaConfig, topic, replication);
        Properties producerProps = new Properties();
        producerProps.putAll(kafkaConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "recurate-registry-store");
        KafkaSchemaStore store = new KafkaSchemaStore(topic,
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer()));
        store.replay(kafkaConfig);
        return store;
    }

    synchronized int register(String subject, String schemaText) {
        String canonical = canonical(schemaText);
        Optional<SchemaRegistryState.Version> existing = state.find(subject, canonical);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        List<String> problems = CompatibilityChecker.problems(state.effectiveLevel(subject),
                new Schema.Parser().parse(canonical), state.parsedVersions(subject));
        if (!problems.isEmpty()) {
            throw new RegistryError(409, 409, "Schema being registered is incompatible with an earlier schema for subject '"
                    + subject + "' (" + state.effectiveLevel(subject) + "), details: " + problems);
        }
        var version = new SchemaRegistryState.Version(subject, state.nextVersion(subject), state.idFor(canonical),
                canonical, false);
        write(schemaKey(subject, version.version()), schemaValue(version));
        state.apply(version);
        log.debug("Registered schema id {} as version {} of subject '{}'", version.id(), version.version(), subject);
        return version.id();
    }

    synchronized SchemaRegistryState.Version lookup(String subject, String schemaText) {
        if (state.versions(subject).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return state.find(subject, canonical(schemaText))
                .orElseThrow(() -> RegistryError.schemaNotFound("this schema is not registered under subject '" + subject + "'"));
    }

    synchronized String schemaById(int id) {
        return state.schemaById(id).orElseThrow(() -> RegistryError.schemaNotFound("id " + id));
    }

    synchronized List<String> subjectsUsing(int id) {
        schemaById(id);
        return state.subjectsUsing(id);
    }

    synchronized List<String> subjects() {
        return state.subjects();
    }

    synchronized List<SchemaRegistryState.Version> versions(String subject) {
        List<SchemaRegistryState.Version> versions = state.versions(subject);
        if (versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versions;
    }

    synchronized SchemaRegistryState.Version version(String subject, String version) {
        List<SchemaRegistryState.Version> versions = versions(subject);
        if (version.equals("latest") || version.equals("-1")) {
            return versions.get(versions.size() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new RegistryError(422, 42202, "The specified version '" + version + "' is not a valid version id. "
                    + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
        return versions.stream().filter(v -> v.version() == number).findFirst()
                .orElseThrow(() -> RegistryError.versionNotFound(subject, version));
    }

    /** Problems of registering {@code schemaText} after the given version (or every version when transitive). */
    synchronized List<String> compatibilityProblems(String subject, String version, String schemaText) {
        String canonical = canonical(schemaText);
        CompatibilityLevel level = state.effectiveLevel(subject);
        List<Schema> existing = state.parsedVersions(subject);
        if (!version.equals("latest") && !level.isTransitive()) {
            existing = List.of(new Schema.Parser().parse(version(subject, version).schema()));
        } else if (existing.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return CompatibilityChecker.problems(level, new Schema.Parser().parse(canonical), existing);
    }

    synchronized List<Integer> deleteSubject(String subject) {
        List<SchemaRegistryState.Version> versions = versions(subject);
        for (var v : versions) {
            var deleted = new SchemaRegistryState.Version(v.subject(), v.version(), v.id(), v.schema(), true);
            write(schemaKey(subject, v.version()), schemaValue(deleted));
            state.apply(deleted);
        }
        log.info("Deleted subject '{}' ({} versions)", subject, versions.size());
        return versions.stream().map(SchemaRegistryState.Version::version).toList();
    }

    synchronized CompatibilityLevel globalLevel() {
        return state.globalLevel();
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return state.subjectLevel(subject);
    }

    synchronized void setLevel(String subject, CompatibilityLevel level) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("magic", 0);
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        write(key, JSON.createObjectNode().put("compatibilityLevel", level.name()));
        state.applyConfig(subject, level);
        log.info("Compatibility of {} set to {}", subject == null ? "the registry" : "subject '" + subject + "'", level);
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static String canonical(String schemaText) {
        try {
            return new Schema.Parser().parse(schemaText).toString();
        } catch (SchemaParseException | NullPointerException e) {
            throw new RegistryError(422, 42201, "Invalid schema: " + e.getMessage());
        }
    }

    private static ObjectNode schemaKey(String subject, int version) {
        return JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject).put("version", version)
                .put("magic", 1);
    }

    private static ObjectNode schemaValue(SchemaRegistryState.Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema()).put("deleted", v.deleted());
    }

    private void write(JsonNode key, JsonNode value) {
        if (producer == null) {
            return;
        }
        try {
            producer.send(new ProducerRecord<>(topic, bytes(key), bytes(value))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new RegistryError(500, 50001, "Cannot write to the schema topic '" + topic + "': " + e.getMessage());
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void replay(Map<String, Object> kafkaConfig) {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "recurate-registry-replay");
        int records = 0;
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp), Duration.ofSeconds(30)).get(tp);
            while (consumer.position(tp, Duration.ofSeconds(30)) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    applyRecord(record);
                    records++;
                }
            }
        }
        log.info("Schema registry state replayed from topic '{}': {} records, {} subjects", topic, records,
                state.subjects().size());
    }

    private void applyRecord(ConsumerRecord<byte[], byte[]> record) {
        try {
            JsonNode key = JSON.readTree(record.key());
            JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
            switch (key.path("keytype").asText()) {
                case "SCHEMA" -> {
                    if (value != null) {
                        state.apply(new SchemaRegistryState.Version(value.path("subject").asText(),
                                value.path("version").asInt(), value.path("id").asInt(),
                                canonical(value.path("schema").asText()), value.path("deleted").asBoolean(false)));
                    }
                }
                case "CONFIG" -> state.applyConfig(key.path("subject").isNull() ? null : key.path("subject").asText(null),
                        value == null ? null : CompatibilityLevel.parse(value.path("compatibilityLevel").asText()));
                default -> { } // NOOP and other key types carry no state here
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Skipping unreadable record at offset {} of '{}': {}", record.offset(), topic, e.getMessage());
        }
    }

    private static void ensureTopic(Map<String, Object> kafkaConfig, String topic, short replication) {
        try (Admin admin = Admin.create(kafkaConfig)) {
            NewTopic newTopic = new NewTopic(topic, 1, replication).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
            log.info("Created schema topic '{}'", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create the schema topic '" + topic + "': " + e.getCause().getMessage(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create the schema topic '" + topic + "': " + e.getMessage(), e);
        }
    }
}
