package io.recurate.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary encoding of the datum with the writer schema. Byte-compatible with KafkaAvroSerializer.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Subject of a topic's keys or values under Confluent's default TopicNameStrategy. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    /** Reads the header and returns the schema id; the buffer is left at the Avro payload. */
    public static int readSchemaId(String topic, boolean isKey, ByteBuffer buffer) {
        String what = isKey ? "key" : "value";
        if (buffer.remaining() < HEADER_SIZE) {
            throw new SerializationException("Record " + what + " in topic '" + topic + "' has " + buffer.remaining()
                    + " bytes, fewer than the 5-byte Confluent wire-format header (magic byte 0 + schema id)");
        }
        byte magic = buffer.get();
        if (magic != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Record %s in topic '%s' starts with byte 0x%02x, expected magic byte 0x00 of the Confluent "
                            + "wire format: it was not written by a schema-registry Avro serializer", what, topic, magic));
        }
        return buffer.getInt();
    }
}
