package io.recurate.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.AvroDeserializer;
import io.recurate.serde.AvroSerializer;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Copying the source's Document bytes writes exactly what encoding the whole ScoredDocument writes. */
class ScoredDocumentWriterTest {
    private static EmbeddedRegistry registryServer;
    private static RegistryClient registry;
    private static RecurateTopics topics;

    @BeforeAll
    static void startRegistry() {
        registryServer = EmbeddedRegistry.startInMemory();
        registry = new RegistryClient(RegistryConfig.of(registryServer.url()));
        topics = new RecurateTopics(new TopicPlan("writer", 1, (short) 1), new RecurateSerdes(registry));
    }

    @AfterAll
    static void stopRegistry() {
        registryServer.close();
    }

    private static ScoredDocumentWriter writer(int pass) {
        return new ScoredDocumentWriter(registry, topics.kept(pass).valueSerde().serializer(), topics.kept(pass).name(),
                topics.removed(pass).name());
    }

    private static Document document() {
        return Document.newBuilder().setId("d1").setText("héllo wörld, win the lottery ".repeat(40)).setSource("mail")
                .setUrl("https://example.org/d1").setContentSha256("ab").setMetadata(Map.of("label", "violating"))
                .setIngestedAt(Instant.ofEpochMilli(1_700_000_000_123L)).build();
    }

    private static ScoredDocument scored(Document d, int pass, Decision decision) {
        return new ScoredDocument(d, pass, "v" + pass, 0.8125f, decision, 0.375f, Instant.ofEpochMilli(1_800_000_000_456L));
    }

    @Test
    void aDocumentFromIngestIsCopiedAndTheDecisionAppended() {
        Document d = document();
        byte[] source = topics.ingest().valueSerde().serializer().serialize(topics.ingest().name(), d);
        for (Decision decision : Decision.values()) {
            ScoredDocument scored = scored(d, 1, decision);
            var topic = decision == Decision.KEPT ? topics.kept(1) : topics.removed(1);
            byte[] expected = topic.valueSerde().serializer().serialize(topic.name(), scored);
            assertThat(writer(1).write(source, scored)).isEqualTo(expected);
        }
    }

    @Test
    void theDocumentOfAPreviousPassesScoredDocumentIsCopied() {
        Document d = document();
        byte[] source = topics.kept(1).valueSerde().serializer().serialize(topics.kept(1).name(),
                scored(d, 1, Decision.KEPT));
        ScoredDocument again = scored(d, 2, Decision.REMOVED);
        byte[] expected = topics.removed(2).valueSerde().serializer().serialize(topics.removed(2).name(), again);
        assertThat(writer(2).write(source, again)).isEqualTo(expected);
    }

    /**
     * A source written with another Document schema (an older one, without url) is read into this build's Document
     * (each field in its place, url null) and its ScoredDocument is encoded whole.
     */
    @Test
    void aSourceInAnotherSchemaIsEncodedWhole() {
        Schema older = SchemaBuilder.record("Document").namespace("io.recurate.schemas").fields()
                .requiredString("id").requiredString("text").optionalString("source").requiredString("contentSha256")
                .name("metadata").type().map().values().stringType().mapDefault(Map.of())
                .name("ingestedAt").type(org.apache.avro.LogicalTypes.timestampMillis()
                        .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
                .endRecord();
        GenericRecord r = new GenericData.Record(older);
        r.put("id", "d1");
        r.put("text", "win the lottery");
        r.put("contentSha256", "ab");
        r.put("metadata", Map.of());
        r.put("ingestedAt", 1_700_000_000_123L);
        byte[] source = new AvroSerializer<GenericRecord>(registry, false).serialize("writer.older-source", r);
        Document d = (Document) new AvroDeserializer<Object>(registry, false, null).deserialize("writer.older-source", source);
        assertThat(d.getText()).isEqualTo("win the lottery");
        assertThat(d.getUrl()).isNull();
        assertThat(d.getContentSha256()).isEqualTo("ab");
        assertThat(d.getIngestedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        ScoredDocument scored = scored(d, 1, Decision.KEPT);
        byte[] written = writer(1).write(source, scored);
        assertThat(written).isEqualTo(topics.kept(1).valueSerde().serializer().serialize(topics.kept(1).name(), scored));
        assertThat(topics.kept(1).valueSerde().deserializer().deserialize(topics.kept(1).name(), written)).isEqualTo(scored);
    }
}
