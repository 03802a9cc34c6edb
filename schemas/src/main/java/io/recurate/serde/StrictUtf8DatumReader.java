package io.recurate.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;

/**
 * Avro's reader turns invalid UTF-8 in a string into U+FFFD without a word, so a record from a careless
 * producer would be scored and kept with its text silently altered. This reader refuses it: the record
 * fails to deserialize, and the consumer names its topic, partition and offset (the scorer sends it to
 * the DLQ).
 */
final class StrictUtf8DatumReader<T> extends SpecificDatumReader<T> {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    StrictUtf8DatumReader(Schema writer, Schema reader, SpecificData data) {
        super(writer, reader, data);
    }

    /**
     * The generated classes' own decoders and Avro's fast reader read strings without this reader, so both
     * are turned off for reading: a copy of the class's model, with its logical-type conversions.
     */
    static SpecificData withoutCustomCoders(SpecificData model) {
        SpecificData copy = new SpecificData(model.getClassLoader());
        model.getConversions().forEach(copy::addLogicalTypeConversion);
        copy.setCustomCoders(false);
        copy.setFastReaderEnabled(false);
        return copy;
    }

    @Override
    protected Object readString(Object old, Schema expected, Decoder in) throws IOException {
        Class<?> stringClass = findStringClass(expected);
        Utf8 utf8 = in.readString(null);
        String text = decode(utf8);
        if (stringClass == String.class) {
            return text;
        }
        if (stringClass == CharSequence.class || stringClass == Utf8.class) {
            return utf8;
        }
        return newInstanceFromString(stringClass, text);
    }

    @Override
    protected Object readString(Object old, Decoder in) throws IOException {
        Utf8 utf8 = in.readString(old instanceof Utf8 u ? u : null);
        decode(utf8);
        return utf8;
    }

    /**
     * Decodes with the JDK's own {@code new String}, which is several times faster than a {@link CharsetDecoder}
     * (an ASCII text is one array copy) but puts U+FFFD where the bytes are not UTF-8. A text without U+FFFD was
     * valid. One with it was valid when it holds as many U+FFFD as its bytes hold their encoding (EF BF BD: a lead
     * byte, so every one of them decodes to one U+FFFD, and a bad sequence only adds more); a corpus decoded with
     * replacement has many such texts, so they are not decoded twice. Otherwise the strict decoder decides.
     */
    private String decode(Utf8 utf8) {
        byte[] bytes = utf8.getBytes();
        int length = utf8.getByteLength();
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (text.indexOf(REPLACEMENT) >= 0 && replacements(text) != encodedReplacements(bytes, length)) {
            try {
                decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length)); // the judge: it names what is wrong
            } catch (CharacterCodingException e) {
                throw new AvroTypeException("a string field holds invalid UTF-8 (" + length + " bytes; " + e.getMessage() + ")");
            }
        }
        return text;
    }

    private static final char REPLACEMENT = '\uFFFD';

    private static int replacements(String text) {
        int count = 0;
        for (int i = text.indexOf(REPLACEMENT); i >= 0; i = text.indexOf(REPLACEMENT, i + 1)) {
            count++;
        }
        return count;
    }

    private static int encodedReplacements(byte[] bytes, int length) {
        int count = 0;
        for (int i = 0; i + 2 < length; i++) {
            if (bytes[i] == (byte) 0xEF && bytes[i + 1] == (byte) 0xBF && bytes[i + 2] == (byte) 0xBD) {
                count++;
            }
        }
        return count;
    }
}
