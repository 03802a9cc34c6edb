package io.recurate.serde;

import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.registry.RegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in Confluent's wire format under the subject {@code <topic>-value} (or
 * {@code -key}), registering the record's schema on first use unless auto-registration is off.
 * Usable from client properties ({@code value.serializer}) with Confluent's configuration keys.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private RegistryClient registry;
    private boolean isKey;
    private final Map<Schema, SpecificDatumWriter<T>> writers = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int sizeHint = 256;

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(RegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = new RegistryClient(RegistryConfig.fromMap(configs));
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null; // a tombstone stays a tombstone
        }
        Schema schema = record.getSchema();
        int id;
        try {
            id = registry.idFor(WireFormat.subject(topic, isKey), schema);
        } catch (RegistryException e) {
            throw new SerializationException("Cannot get a schema id for " + schema.getFullName() + " in topic '"
                    + topic + "': " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
        out.write(WireFormat.MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s))).write(record, encoder);
            encoder.flush();
            sizeHint = Math.max(256, Math.min(out.size() + 64, 1 << 20)); // the next record is likely the same size
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot write " + schema.getFullName() + " for topic '" + topic
                    + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
