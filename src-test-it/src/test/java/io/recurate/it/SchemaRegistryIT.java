package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.registry.CompatibilityLevel;
import io.recurate.registry.RegisteredSchema;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.registry.RegistryException;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassStatus;
import io.recurate.serde.AvroSerializer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClusterExtension.class)
class SchemaRegistryIT {
    private static final String DOCUMENT_V2_WITHOUT_DEFAULT = Document.getClassSchema().toString()
            .replace("\"fields\":[", "\"fields\":[{\"name\":\"language\",\"type\":\"string\"},");
    private static final String DOCUMENT_V2_WITH_DEFAULT = Document.getClassSchema().toString()
            .replace("\"fields\":[", "\"fields\":[{\"name\":\"language\",\"type\":\"string\",\"default\":\"und\"},");

    @Test
    void restartedEmbeddedRegistryKeepsIdsAndVersions(TestCluster cluster) {
        // Its own schema topic, so this works on any cluster, also one with Confluent's registry.
        String topic = "_schemas-" + TestCluster.uniqueNamespace("restart");
        EmbeddedRegistry.Settings settings = new EmbeddedRegistry.Settings(cluster.kafkaConfig(), "127.0.0.1", 0, topic,
                (short) 1, null);
        int documentId;
        int annotationId;
        try (EmbeddedRegistry first = EmbeddedRegistry.start(settings)) {
            RegistryClient client = new RegistryClient(RegistryConfig.of(first.url()));
            documentId = client.register("a-value", Document.getClassSchema());
            annotationId = client.register("b-value", Annotation.getClassSchema());
            client.register("c-value", Document.getClassSchema());
            client.setCompatibility("b-value", CompatibilityLevel.FULL);
        }
        try (EmbeddedRegistry second = EmbeddedRegistry.start(settings)) {
            RegistryClient client = new RegistryClient(RegistryConfig.of(second.url()));
            assertThat(client.schemaById(documentId)).isEqualTo(Document.getClassSchema());
            assertThat(client.schemaById(annotationId)).isEqualTo(Annotation.getClassSchema());
            assertThat(client.subjects()).containsExactlyInAnyOrder("a-value", "b-value", "c-value");
            assertThat(client.lookup("c-value", Document.getClassSchema()).id()).isEqualTo(documentId);
            // Registering again is idempotent; a new schema gets the next id, never a reused one.
            assertThat(client.register("a-value", Document.getClassSchema())).isEqualTo(documentId);
            int passId = client.register("d-value", PassStatus.getClassSchema());
            assertThat(passId).isGreaterThan(Math.max(documentId, annotationId));
            // The subject's FULL level survived too: dropping a required field is BACKWARD compatible
            // (the registry default) but not FORWARD, so only a FULL subject refuses it.
            Schema withoutModelVersion = Schema.createRecord(Annotation.getClassSchema().getName(), null,
                    Annotation.getClassSchema().getNamespace(), false, Annotation.getClassSchema().getFields().stream()
                            .filter(f -> !f.name().equals("modelVersion")).map(f -> new Schema.Field(f, f.schema())).toList());
            assertThat(client.isCompatible("b-value", withoutModelVersion)).isFalse();
            client.register("e-value", Annotation.getClassSchema());
            assertThat(client.isCompatible("e-value", withoutModelVersion)).isTrue(); // BACKWARD by default
        }
    }

    @Test
    void incompatibleSchemaChangeIsRejectedAndCompatibleOneAccepted(TestCluster cluster) {
        RegistryClient client = cluster.registryClient();
        String subject = TestCluster.uniqueNamespace("compat") + ".docs.ingest-value";
        int v1 = client.register(subject, Document.getClassSchema());

        Schema incompatible = new Schema.Parser().parse(DOCUMENT_V2_WITHOUT_DEFAULT);
        assertThat(client.isCompatible(subject, incompatible)).isFalse();
        assertThatThrownBy(() -> client.register(subject, incompatible))
                .isInstanceOf(RegistryException.class)
                .satisfies(e -> assertThat(((RegistryException) e).errorCode()).isEqualTo(RegistryException.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining(subject);

        Schema compatible = new Schema.Parser().parse(DOCUMENT_V2_WITH_DEFAULT);
        assertThat(client.isCompatible(subject, compatible)).isTrue();
        int v2 = client.register(subject, compatible);
        assertThat(v2).isNotEqualTo(v1);
        assertThat(client.versions(subject)).containsExactly(1, 2);
        RegisteredSchema latest = client.latest(subject);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(v2);
    }

    @Test
    void producerWithAnIncompatibleSchemaGetsAClearSerializationError(TestCluster cluster) {
        String topic = TestCluster.uniqueNamespace("producer") + ".docs.ingest";
        RegistryClient client = cluster.registryClient();
        client.register(topic + "-value", Document.getClassSchema());
        GenericRecord incompatible = new GenericData.Record(new Schema.Parser().parse(DOCUMENT_V2_WITHOUT_DEFAULT));
        try (AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client, false)) {
            assertThatThrownBy(() -> serializer.serialize(topic, incompatible))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(topic)
                    .hasMessageContaining("incompatible");
        }
    }

    @Test
    void withoutAutoRegistrationAnUnregisteredSchemaIsRefused(TestCluster cluster) {
        String topic = TestCluster.uniqueNamespace("noauto") + ".annotations";
        RegistryClient client = new RegistryClient(RegistryConfig.of(cluster.registryUrl()).withAutoRegister(false));
        try (AvroSerializer<Annotation> serializer = new AvroSerializer<>(client, false)) {
            assertThatThrownBy(() -> serializer.serialize(topic, Records.annotation("x")))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining(topic + "-value")
                    .hasMessageContaining("40401");
        }
    }
}
