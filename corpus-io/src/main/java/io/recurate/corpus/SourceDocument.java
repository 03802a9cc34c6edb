package io.recurate.corpus;

import java.util.Map;

/**
 * One document as read from a corpus file, before it gets an id and goes to Kafka.
 *
 * @param id       the id the corpus gives, or null (then the publisher uses a content hash)
 * @param url      the document's URL when the corpus has one, else null
 * @param metadata every other field, as strings (nested values as JSON)
 * @param bytes    size of the record as read: the JSONL line, or the Parquet text, in UTF-8 bytes
 */
public record SourceDocument(String id, String text, String url, Map<String, String> metadata, long bytes,
                             Position position) {
}
