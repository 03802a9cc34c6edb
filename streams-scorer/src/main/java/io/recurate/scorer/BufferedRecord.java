package io.recurate.scorer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An input record waiting in the batch buffer, kept exactly as it arrived (raw key and value bytes,
 * timestamp, headers) with where it came from, so that a DLQ entry or an output can be made from it
 * after a restart as well as before.
 */
record BufferedRecord(byte[] key, byte[] value, long timestamp, List<Header> headers, String topic, int partition,
                      long offset) {

    /** Bytes of key and value, for the batch's byte limit. */
    long size() {
        return (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    }

    Headers headerCopy() {
        RecordHeaders copy = new RecordHeaders();
        headers.forEach(h -> copy.add(h.key(), h.value()));
        return copy;
    }

    /** A compact binary form for the changelogged buffer store. */
    static final class StoreSerde implements Serde<BufferedRecord> {
        @Override
        public Serializer<BufferedRecord> serializer() {
            return (topic, r) -> {
                if (r == null) {
                    return null;
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (r.value == null ? 0 : r.value.length));
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    writeBytes(out, r.key);
                    writeBytes(out, r.value);
                    out.writeLong(r.timestamp);
                    out.writeInt(r.headers.size());
                    for (Header h : r.headers) {
                        out.writeUTF(h.key());
                        writeBytes(out, h.value());
                    }
                    out.writeUTF(r.topic);
                    out.writeInt(r.partition);
                    out.writeLong(r.offset);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return bytes.toByteArray();
            };
        }

        @Override
        public Deserializer<BufferedRecord> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                    byte[] key = readBytes(in);
                    byte[] value = readBytes(in);
                    long timestamp = in.readLong();
                    int count = in.readInt();
                    List<Header> headers = new ArrayList<>(count);
                    RecordHeaders holder = new RecordHeaders();
                    for (int i = 0; i < count; i++) {
                        holder.add(in.readUTF(), readBytes(in));
                    }
                    holder.forEach(headers::add);
                    return new BufferedRecord(key, value, timestamp, headers, in.readUTF(), in.readInt(), in.readLong());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }

        private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
            out.writeInt(b == null ? -1 : b.length);
            if (b != null) {
                out.write(b);
            }
        }

        private static byte[] readBytes(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }
    }
}
