package io.recurate.corpus;

/**
 * Which fields of a corpus record hold the id, the text and the URL; every other field is kept as
 * metadata. A field named {@code metadata} holding an object is merged into the metadata, so an
 * exported corpus can be published again unchanged.
 */
public record FieldMapping(String idField, String textField, String urlField) {

    public static final String METADATA_FIELD = "metadata";

    public static FieldMapping defaults() {
        return new FieldMapping("id", "text", "url");
    }
}
