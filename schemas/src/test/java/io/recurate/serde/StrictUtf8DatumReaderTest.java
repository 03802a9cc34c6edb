package io.recurate.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.schemas.Document;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.AvroTypeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class StrictUtf8DatumReaderTest {
    private static final Document DOC = Document.newBuilder().setId("d1").setText("a na\u00efve text")
            .setContentSha256("00").setMetadata(Map.of("lang", "fr")).setIngestedAt(Instant.parse("2026-11-25T12:00:00Z")).build();

    @Test
    void validTextDecodesAsBefore() throws Exception {
        assertThat(read(bytes())).isEqualTo(DOC);
    }

    @Test
    void invalidUtf8InTheTextIsRefused() throws Exception {
        byte[] bytes = bytes();
        for (int i = 0; i + 1 < bytes.length; i++) {
            if ((bytes[i] & 0xff) == 0xC3 && (bytes[i + 1] & 0xff) == 0xAF) {
                bytes[i + 1] = '(';
            }
        }
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(AvroTypeException.class).hasMessageContaining("invalid UTF-8");
    }

    private static byte[] bytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Document.class).write(DOC, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static Document read(byte[] bytes) throws Exception {
        SpecificData model = SpecificData.getForSchema(Document.getClassSchema());
        var reader = new StrictUtf8DatumReader<Document>(Document.getClassSchema(), Document.getClassSchema(),
                StrictUtf8DatumReader.withoutCustomCoders(model));
        return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }
}
