package io.recurate.serde;

import io.recurate.registry.RegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A Kafka (Streams) serde for one generated Avro record type, in Confluent's wire format. */
public final class AvroSerde<T extends SpecificRecord> extends Serdes.WrapperSerde<T> {

    public AvroSerde(RegistryClient registry, boolean isKey, Schema schema) {
        super(new AvroSerializer<>(registry, isKey), new AvroDeserializer<>(registry, isKey, schema));
    }

    public static <T extends SpecificRecord> Serde<T> forValues(RegistryClient registry, Schema schema) {
        return new AvroSerde<>(registry, false, schema);
    }
}
