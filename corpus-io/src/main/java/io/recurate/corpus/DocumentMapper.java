package io.recurate.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/** Maps a corpus record (a JSON object or a Parquet row) to a document by the field mapping. */
final class DocumentMapper {
    private final FieldMapping fields;
    private final long maxDocumentBytes;
    private final Consumer<BadInput> bad;

    DocumentMapper(ReadOptions options, Consumer<BadInput> bad) {
        this.fields = options.fields();
        this.maxDocumentBytes = options.maxDocumentBytes();
        this.bad = bad;
    }

    /** @param recordBytes the size of the line, already within the limit */
    Optional<SourceDocument> fromJson(JsonNode node, Position where, long recordBytes) {
        JsonNode text = node.get(fields.textField());
        if (text == null) {
            return reject(BadInput.Cause.MISSING_TEXT, where, "no field '" + fields.textField() + "' (see --text-field)");
        }
        if (text.isNull()) {
            return reject(BadInput.Cause.MISSING_TEXT, where, "field '" + fields.textField() + "' is null");
        }
        if (!text.isTextual()) {
            return reject(BadInput.Cause.MISSING_TEXT, where, "field '" + fields.textField() + "' is a "
                    + text.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        var names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            JsonNode value = node.get(name);
            if (isMapped(name) || value.isNull()) {
                continue;
            }
            if (name.equals(FieldMapping.METADATA_FIELD) && value.isObject()) {
                value.fields().forEachRemaining(e -> metadata.put(e.getKey(), asString(e.getValue())));
            } else {
                metadata.put(name, asString(value));
            }
        }
        return document(idOf(node.get(fields.idField())), text.textValue(), textOrNull(node.get(fields.urlField())), metadata,
                recordBytes, where);
    }

    Optional<SourceDocument> fromRecord(GenericRecord record, Position where) {
        var schema = record.getSchema();
        if (schema.getField(fields.textField()) == null || record.get(fields.textField()) == null) {
            return reject(BadInput.Cause.MISSING_TEXT, where, "no value in column '" + fields.textField() + "' (see --text-field)");
        }
        Object textValue = record.get(fields.textField());
        if (!(textValue instanceof CharSequence)) {
            return reject(BadInput.Cause.MISSING_TEXT, where, "column '" + fields.textField() + "' is not a string column");
        }
        String text;
        long bytes;
        if (textValue instanceof Utf8 utf8) {
            bytes = utf8.getByteLength();
            if (bytes > maxDocumentBytes) {
                return tooLarge(bytes, where);
            }
            Optional<String> decoded = decodeStrict(utf8.getBytes(), utf8.getByteLength(), where);
            if (decoded.isEmpty()) {
                return Optional.empty();
            }
            text = decoded.get();
        } else {
            text = textValue.toString();
            bytes = utf8Length(text);
            if (bytes > maxDocumentBytes) {
                return tooLarge(bytes, where);
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var field : schema.getFields()) {
            Object value = record.get(field.pos());
            if (isMapped(field.name()) || value == null) {
                continue;
            }
            if (field.name().equals(FieldMapping.METADATA_FIELD) && value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> metadata.put(k.toString(), v == null ? "" : v.toString()));
            } else {
                metadata.put(field.name(), value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                        ? value.toString() : GenericData.get().toString(value));
            }
        }
        Object id = schema.getField(fields.idField()) == null ? null : record.get(fields.idField());
        Object url = schema.getField(fields.urlField()) == null ? null : record.get(fields.urlField());
        return document(id == null ? null : id.toString(), text, url == null ? null : url.toString(), metadata, bytes, where);
    }

    /** Strict UTF-8: a line or value with invalid bytes is reported with the offset of the first one. */
    Optional<String> decodeStrict(byte[] bytes, int length, Position where) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            bad.accept(new BadInput(BadInput.Cause.INVALID_UTF8, where, "invalid UTF-8 byte sequence at byte " + in.position()));
            return Optional.empty();
        }
        decoder.flush(out);
        return Optional.of(out.flip().toString());
    }

    Optional<SourceDocument> tooLarge(long bytes, Position where) {
        return reject(BadInput.Cause.TOO_LARGE, where, ReadOptions.overLimit(bytes, maxDocumentBytes));
    }

    private Optional<SourceDocument> document(String id, String text, String url, Map<String, String> metadata, long bytes,
                                              Position where) {
        if (text.isBlank()) {
            return reject(BadInput.Cause.EMPTY_TEXT, where, "the text is empty or only whitespace");
        }
        // JSON can escape half of a surrogate pair ("\ud800"): no UTF-8 encodes it, and Kafka's and Avro's
        // encoders would silently write '?' instead. Refused, like invalid UTF-8 bytes, rather than altered.
        for (var field : new String[][] {{"text", text}, {"id", id}, {"url", url}}) {
            int at = loneSurrogate(field[1]);
            if (at >= 0) {
                return reject(BadInput.Cause.INVALID_UTF8, where, String.format("the %s has a lone surrogate \\u%04x at "
                        + "character %d (an escape that is half of a pair): not valid Unicode", field[0], (int) field[1].charAt(at), at));
            }
        }
        for (var e : metadata.entrySet()) {
            int at = loneSurrogate(e.getValue());
            if (at >= 0) {
                return reject(BadInput.Cause.INVALID_UTF8, where, String.format("field '%s' has a lone surrogate \\u%04x at "
                        + "character %d (an escape that is half of a pair): not valid Unicode", e.getKey(), (int) e.getValue().charAt(at), at));
            }
        }
        return Optional.of(new SourceDocument(id == null || id.isEmpty() ? null : id, text, url, metadata, bytes, where));
    }

    private boolean isMapped(String name) {
        return name.equals(fields.idField()) || name.equals(fields.textField()) || name.equals(fields.urlField());
    }

    private static String idOf(JsonNode id) {
        return id == null || id.isNull() ? null : id.isValueNode() ? id.asText() : id.toString();
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String asString(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Index of the first surrogate char that is not half of a well-formed pair, or -1. */
    static int loneSurrogate(String s) {
        if (s == null) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private Optional<SourceDocument> reject(BadInput.Cause cause, Position where, String message) {
        bad.accept(new BadInput(cause, where, message));
        return Optional.empty();
    }
}
