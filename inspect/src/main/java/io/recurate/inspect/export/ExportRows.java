package io.recurate.inspect.export;

import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The flat rows an export writes, in snake_case as data sets use. The document columns come first
 * and {@code metadata} is a map, so an exported corpus can be published again as it is.
 */
public final class ExportRows {
    private ExportRows() {
    }

    public static final Schema DOCUMENT = documentFields(SchemaBuilder.record("document").namespace("io.recurate.export").fields())
            .endRecord();

    public static final Schema SCORED_DOCUMENT = documentFields(SchemaBuilder.record("scored_document")
            .namespace("io.recurate.export").fields())
            .requiredInt("pass").requiredString("model_version").requiredFloat("score").requiredString("decision")
            .requiredFloat("threshold").requiredString("scored_at")
            .endRecord();

    /** One row per (document, pass): the preference annotations a pass produces. */
    public static final Schema ANNOTATION = SchemaBuilder.record("annotation").namespace("io.recurate.export").fields()
            .requiredString("doc_id").requiredInt("pass").requiredString("model_version").requiredFloat("score")
            .requiredString("decision").requiredFloat("threshold").requiredString("scored_at")
            .endRecord();

    private static SchemaBuilder.FieldAssembler<Schema> documentFields(SchemaBuilder.FieldAssembler<Schema> f) {
        return f.requiredString("id").requiredString("text").optionalString("url").optionalString("source")
                .requiredString("content_sha256")
                .name("metadata").type().map().values().stringType().noDefault()
                .requiredString("ingested_at");
    }

    public static GenericRecord document(Document d) {
        GenericRecord r = new GenericData.Record(DOCUMENT);
        fillDocument(r, d);
        return r;
    }

    public static GenericRecord scored(ScoredDocument s) {
        GenericRecord r = new GenericData.Record(SCORED_DOCUMENT);
        fillDocument(r, s.getDocument());
        r.put("pass", s.getPass());
        r.put("model_version", s.getModelVersion());
        r.put("score", s.getScore());
        r.put("decision", s.getDecision().name().toLowerCase(java.util.Locale.ROOT));
        r.put("threshold", s.getThreshold());
        r.put("scored_at", s.getScoredAt().toString());
        return r;
    }

    public static GenericRecord annotation(Annotation a) {
        GenericRecord r = new GenericData.Record(ANNOTATION);
        r.put("doc_id", a.getDocId());
        r.put("pass", a.getPass());
        r.put("model_version", a.getModelVersion());
        r.put("score", a.getScore());
        r.put("decision", a.getDecision().name().toLowerCase(java.util.Locale.ROOT));
        r.put("threshold", a.getThreshold());
        r.put("scored_at", a.getScoredAt().toString());
        return r;
    }

    private static void fillDocument(GenericRecord r, Document d) {
        r.put("id", d.getId());
        r.put("text", d.getText());
        r.put("url", d.getUrl());
        r.put("source", d.getSource());
        r.put("content_sha256", d.getContentSha256());
        Map<String, String> metadata = new HashMap<>();
        d.getMetadata().forEach((k, v) -> metadata.put(k, v));
        r.put("metadata", metadata);
        r.put("ingested_at", d.getIngestedAt().toString());
    }
}
