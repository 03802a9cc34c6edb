package io.recurate.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Plain Avro binary of one record type, with no registry and no wire-format header: for state
 * stores and their changelogs, which only the same application reads.
 */
public final class AvroBinarySerde<T extends SpecificRecord> implements Serde<T> {
    private final Schema schema;

    public AvroBinarySerde(Schema schema) {
        this.schema = schema;
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try {
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                new SpecificDatumWriter<T>(schema).write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new SerializationException("Cannot write " + schema.getFullName() + " to " + topic, e);
            }
            return out.toByteArray();
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return new SpecificDatumReader<T>(schema).read(null, DecoderFactory.get().binaryDecoder(data, null));
            } catch (IOException e) {
                throw new SerializationException("Cannot read " + schema.getFullName() + " from " + topic, e);
            }
        };
    }
}
