package io.recurate.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.schemas.Document;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.AvroTypeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StrictUtf8DatumReaderTest {
    private static final Document DOC = Document.newBuilder().setId("d1").setText("a na\u00efve text")
            .setContentSha256("00").setMetadata(Map.of("lang", "fr")).setIngestedAt(Instant.parse("2026-11-25T12:00:00Z")).build();

    @Test
    void validTextDecodesAsBefore() throws Exception {
        assertThat(read(bytes())).isEqualTo(DOC);
    }

    @Test
    void aRealReplacementCharacterIsValidText() throws Exception {
        Document doc = Document.newBuilder(DOC).setText("unknown \uFFFD mark, \uD83D\uDE00 and \u00e9").build();
        assertThat(read(bytes(doc))).isEqualTo(doc);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a byte that starts nothing, 80",
            "a truncated sequence, C3",
            "an overlong slash, C0 AF",
            "an encoded surrogate (CESU-8), ED A0 80",
            "past U+10FFFF, F4 90 80 80",
            "a real U+FFFD then a stray continuation byte, EF BF BD 80",
            "a truncated sequence before a real U+FFFD, E2 82 EF BF BD",
            "a truncated U+FFFD, EF BF",
    })
    void malformedSequencesAreRefused(String what, String hex) throws Exception {
        String marker = "MARKER!";
        byte[] plain = bytes(Document.newBuilder(DOC).setText("before " + marker + " after").build());
        String[] parts = hex.split(" ");
        byte[] bad = new byte[marker.length()];
        Arrays.fill(bad, (byte) 'x');
        for (int i = 0; i < parts.length; i++) {
            bad[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        int at = indexOf(plain, marker.getBytes(StandardCharsets.US_ASCII));
        System.arraycopy(bad, 0, plain, at, bad.length); // same length: the Avro string's length stays right
        assertThatThrownBy(() -> read(plain)).isInstanceOf(AvroTypeException.class).hasMessageContaining("invalid UTF-8");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found");
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
        return bytes(DOC);
    }

    private static byte[] bytes(Document doc) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Document.class).write(doc, encoder);
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
