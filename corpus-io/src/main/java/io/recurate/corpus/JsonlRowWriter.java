package io.recurate.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** One JSON object per row, gzipped; maps become objects, so metadata reads back as it was. */
final class JsonlRowWriter implements RowWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private final Counting counting;
    private final OutputStream out;
    private final JsonGenerator json;

    JsonlRowWriter(Path file) throws IOException {
        this.out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), 1 << 16);
        this.counting = new Counting(out);
        this.json = JSON.createGenerator(counting);
        json.setRootValueSeparator(null);
    }

    @Override
    public void write(GenericRecord row) throws IOException {
        writeRecord(row);
        json.flush();
        counting.write('\n');
    }

    private void writeRecord(GenericRecord row) throws IOException {
        json.writeStartObject();
        for (Schema.Field field : row.getSchema().getFields()) {
            json.writeFieldName(field.name());
            writeValue(row.get(field.pos()));
        }
        json.writeEndObject();
    }

    private void writeValue(Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof CharSequence) {
            json.writeString(value.toString());
        } else if (value instanceof Integer || value instanceof Long) {
            json.writeNumber(((Number) value).longValue());
        } else if (value instanceof Float f) {
            json.writeNumber(f); // the float's own shortest form, not a widened double
        } else if (value instanceof Double d) {
            json.writeNumber(d);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (var e : map.entrySet()) {
                json.writeFieldName(e.getKey().toString());
                writeValue(e.getValue());
            }
            json.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            json.writeStartArray();
            for (Object o : list) {
                writeValue(o);
            }
            json.writeEndArray();
        } else if (value instanceof GenericRecord nested) {
            writeRecord(nested);
        } else if (value instanceof ByteBuffer) {
            throw new IllegalArgumentException("Bytes fields are not exported to JSONL");
        } else {
            json.writeString(value.toString());
        }
    }

    @Override
    public long bytes() {
        return counting.count;
    }

    @Override
    public void close() throws IOException {
        json.close();
        out.close();
    }

    private static final class Counting extends FilterOutputStream {
        private long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the owner closes the underlying stream
        }
    }
}
