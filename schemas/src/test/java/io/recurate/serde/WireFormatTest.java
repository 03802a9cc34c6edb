package io.recurate.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    // Never contacted: these records fail before a schema is looked up.
    private final AvroDeserializer<Document> deserializer = new AvroDeserializer<>(
            new RegistryClient(RegistryConfig.of("http://127.0.0.1:9")), false, Document.getClassSchema());

    @Test
    void readsTheBigEndianSchemaIdAfterMagicByteZero() {
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 2, 42});
        assertThat(WireFormat.readSchemaId("t", false, buffer)).isEqualTo(258);
        assertThat(buffer.remaining()).isEqualTo(1);
    }

    @Test
    void subjectsFollowTheTopicNameStrategy() {
        assertThat(WireFormat.subject("recurate.docs.ingest", false)).isEqualTo("recurate.docs.ingest-value");
        assertThat(WireFormat.subject("recurate.docs.ingest", true)).isEqualTo("recurate.docs.ingest-key");
    }

    @Test
    void recordWithAnotherMagicByteIsRefusedNamingTopicAndByte() {
        assertThatThrownBy(() -> deserializer.deserialize("recurate.docs.ingest", "{\"id\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("recurate.docs.ingest")
                .hasMessageContaining("0x7b")
                .hasMessageContaining("magic byte");
    }

    @Test
    void recordShorterThanTheHeaderIsRefused() {
        assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("2 bytes");
    }

    @Test
    void nullStaysNullBothWays() {
        assertThat(deserializer.deserialize("t", (byte[]) null)).isNull();
        assertThat(new AvroSerializer<Document>(null, false).serialize("t", null)).isNull();
    }
}
