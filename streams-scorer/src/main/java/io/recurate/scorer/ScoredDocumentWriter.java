package io.recurate.scorer;

import io.recurate.registry.RegistryClient;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.WireFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a decision's {@link ScoredDocument} in the wire format of the kept and removed topics. A ScoredDocument's
 * Avro encoding is its Document's followed by the decision's fields, so when the source record was written with this
 * build's Document schema (ingest) or ScoredDocument schema (a previous pass's kept topic), its Document bytes are
 * copied as they are and only the decision is encoded: the stream thread does not encode every text again. A source
 * written with any other schema is encoded whole, as the serializer does.
 */
final class ScoredDocumentWriter {
    private enum Layout { DOCUMENT, SCORED_DOCUMENT, OTHER }

    private final RegistryClient registry;
    private final Serializer<ScoredDocument> serializer;
    private final String keptTopic;
    private final String removedTopic;
    private final Map<Integer, Layout> layouts = new HashMap<>();
    private final Map<String, Integer> outputIds = new HashMap<>();
    private BinaryEncoder encoder;

    /** @param serializer the output topics' own, for sources in other schemas */
    ScoredDocumentWriter(RegistryClient registry, Serializer<ScoredDocument> serializer, String keptTopic,
                         String removedTopic) {
        this.registry = registry;
        this.serializer = serializer;
        this.keptTopic = keptTopic;
        this.removedTopic = removedTopic;
    }

    /**
     * The value of {@code scored}'s record in the kept or removed topic, as its decision says.
     *
     * @param source the source record's value, in the wire format, as {@code scored}'s document was decoded from it
     */
    byte[] write(byte[] source, ScoredDocument scored) {
        String topic = scored.getDecision() == Decision.KEPT ? keptTopic : removedTopic;
        int sourceId = ByteBuffer.wrap(source, 1, 4).getInt();
        Layout layout = layouts.computeIfAbsent(sourceId, this::layoutOf);
        if (layout == Layout.OTHER) {
            return serializer.serialize(topic, scored);
        }
        int documentBytes = layout == Layout.DOCUMENT ? source.length - WireFormat.HEADER_SIZE : documentLength(source);
        int id = outputIds.computeIfAbsent(topic, t -> registry.idFor(WireFormat.subject(t, false),
                ScoredDocument.getClassSchema()));
        ByteArrayOutputStream out = new ByteArrayOutputStream(WireFormat.HEADER_SIZE + documentBytes + 64);
        out.write(WireFormat.MAGIC_BYTE);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        out.write(source, WireFormat.HEADER_SIZE, documentBytes);
        try {
            // The fields after "document", in the schema's order.
            encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
            encoder.writeInt(scored.getPass());
            encoder.writeString(scored.getModelVersion());
            encoder.writeFloat(scored.getScore());
            encoder.writeEnum(scored.getDecision().ordinal());
            encoder.writeFloat(scored.getThreshold());
            encoder.writeLong(scored.getScoredAt().toEpochMilli());
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toByteArray();
    }

    private Layout layoutOf(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        if (writer.equals(Document.getClassSchema())) {
            return Layout.DOCUMENT;
        }
        return writer.equals(ScoredDocument.getClassSchema()) ? Layout.SCORED_DOCUMENT : Layout.OTHER;
    }

    /** Bytes of the Document that a ScoredDocument's encoding starts with. */
    private static int documentLength(byte[] source) {
        int payload = source.length - WireFormat.HEADER_SIZE;
        ByteArrayInputStream in = new ByteArrayInputStream(source, WireFormat.HEADER_SIZE, payload);
        try {
            GenericDatumReader.skip(Document.getClassSchema(), DecoderFactory.get().directBinaryDecoder(in, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the record was decoded a moment ago: it cannot be short
        }
        return payload - in.available();
    }
}
