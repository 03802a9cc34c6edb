package io.recurate.serde;

import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.registry.RegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro records into a generated class, resolving the writer's schema
 * (fetched once per id) against the class's own schema, so records written with an older or newer
 * compatible schema still read. Errors name the topic and the cause; Kafka's consumer adds the
 * partition and offset ({@link org.apache.kafka.common.errors.RecordDeserializationException}).
 *
 * @param <T> the generated record class; when built reflectively the class comes from the writer
 *            schema's full name, as Confluent's {@code specific.avro.reader=true} does
 */
public class AvroDeserializer<T> implements Deserializer<T> {
    private RegistryClient registry;
    private boolean isKey;
    private Schema readerSchema;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka's reflective construction; {@link #configure} must follow. */
    public AvroDeserializer() {
    }

    public AvroDeserializer(RegistryClient registry, boolean isKey, Schema readerSchema) {
        this.registry = registry;
        this.isKey = isKey;
        this.readerSchema = readerSchema;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = new RegistryClient(RegistryConfig.fromMap(configs));
        this.isKey = isKey;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : deserialize(topic, ByteBuffer.wrap(data));
    }

    @Override
    public T deserialize(String topic, Headers headers, ByteBuffer data) {
        return data == null ? null : deserialize(topic, data.duplicate());
    }

    private T deserialize(String topic, ByteBuffer buffer) {
        int id = WireFormat.readSchemaId(topic, isKey, buffer);
        DatumReader<T> reader = readers.computeIfAbsent(id, i -> readerFor(topic, i));
        try {
            BinaryDecoder decoder = DecoderFactory.get()
                    .binaryDecoder(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining(), null);
            return reader.read(null, decoder);
        } catch (IOException | AvroTypeException | IndexOutOfBoundsException e) {
            throw new SerializationException("Record " + (isKey ? "key" : "value") + " in topic '" + topic
                    + "' does not decode with schema id " + id + ": " + e, e);
        }
    }

    private DatumReader<T> readerFor(String topic, int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (RegistryException e) {
            String why = e.errorCode() == RegistryException.SCHEMA_NOT_FOUND
                    ? "schema id " + id + " is unknown to the registry " + registry.config().displayUrls()
                    : e.getMessage();
            throw new SerializationException("Cannot read record " + (isKey ? "key" : "value") + " in topic '"
                    + topic + "': " + why, e);
        }
        // Without a reader schema, a record of a generated class is read into that class's own schema: reading it
        // with an older or newer writer schema as the reader would put fields at the writer's positions.
        Schema reader = readerSchema != null ? readerSchema : classSchema(writer);
        SpecificData data = SpecificData.getForSchema(reader);
        if (readerSchema != null && !writer.getFullName().equals(reader.getFullName())) {
            throw new SerializationException("Record in topic '" + topic + "' was written as " + writer.getFullName()
                    + " (schema id " + id + "), expected " + reader.getFullName());
        }
        return new StrictUtf8DatumReader<>(writer, reader, StrictUtf8DatumReader.withoutCustomCoders(data));
    }

    /** The schema of the generated class named like {@code writer}, or {@code writer} when there is none. */
    private static Schema classSchema(Schema writer) {
        Class<?> generated = SpecificData.get().getClass(writer);
        if (generated != null && org.apache.avro.specific.SpecificRecord.class.isAssignableFrom(generated)) {
            return SpecificData.get().getSchema(generated);
        }
        return writer;
    }
}
