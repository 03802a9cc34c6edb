package io.recurate.scorer;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The source offsets {@code [first, next)} of a partition that were read but not yet scored: what the batch buffer's
 * changelog keeps instead of the documents. The source topic is immutable and retained, so after a restore the
 * buffered records are read again from it; the range and the task's input offset are committed in the same
 * transaction, so {@code next} is where the restored task resumes reading.
 */
record UnscoredRange(long first, long next) {
    UnscoredRange {
        if (first < 0 || next <= first) {
            throw new IllegalArgumentException("an unscored range needs 0 <= first < next, got [" + first + ", " + next + ")");
        }
    }

    long count() {
        return next - first;
    }

    /** Sixteen bytes: first and next. */
    static final class StoreSerde implements Serde<UnscoredRange> {
        @Override
        public Serializer<UnscoredRange> serializer() {
            return (topic, r) -> r == null ? null : ByteBuffer.allocate(16).putLong(r.first).putLong(r.next).array();
        }

        @Override
        public Deserializer<UnscoredRange> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                if (data.length != 16) {
                    throw new IllegalArgumentException("an unscored range is 16 bytes, this entry of " + topic + " has "
                            + data.length + " (written by another version of the scorer?)");
                }
                ByteBuffer b = ByteBuffer.wrap(data);
                return new UnscoredRange(b.getLong(), b.getLong());
            };
        }
    }
}
