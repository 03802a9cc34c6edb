package io.recurate.serde;

import io.recurate.registry.RegistryClient;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;

/** The value serdes of every recurate record type, sharing one registry client and its caches. */
public final class RecurateSerdes {
    /** Every value schema recurate writes, for registration up front. */
    public static final List<Schema> VALUE_SCHEMAS = List.of(Document.getClassSchema(),
            ScoredDocument.getClassSchema(), Annotation.getClassSchema(), ModelVersion.getClassSchema(),
            PassStatus.getClassSchema(), PassProgress.getClassSchema());

    private final RegistryClient registry;

    public RecurateSerdes(RegistryClient registry) {
        this.registry = registry;
    }

    public RegistryClient registry() {
        return registry;
    }

    public Serde<Document> document() {
        return AvroSerde.forValues(registry, Document.getClassSchema());
    }

    public Serde<ScoredDocument> scoredDocument() {
        return AvroSerde.forValues(registry, ScoredDocument.getClassSchema());
    }

    public Serde<Annotation> annotation() {
        return AvroSerde.forValues(registry, Annotation.getClassSchema());
    }

    public Serde<ModelVersion> modelVersion() {
        return AvroSerde.forValues(registry, ModelVersion.getClassSchema());
    }

    public Serde<PassProgress> passProgress() {
        return AvroSerde.forValues(registry, PassProgress.getClassSchema());
    }

    public Serde<PassStatus> passStatus() {
        return AvroSerde.forValues(registry, PassStatus.getClassSchema());
    }
}
