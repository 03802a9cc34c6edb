package io.recurate.corpus;

import java.util.function.LongConsumer;

/**
 * How to read corpus files.
 *
 * @param maxDocumentBytes a record (JSONL line or Parquet text) larger than this is skipped as too large
 * @param progress         told how many bytes of the file (as stored, compressed or not) were consumed since the last call
 */
public record ReadOptions(FieldMapping fields, long maxDocumentBytes, LongConsumer progress) {

    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 16L * 1024 * 1024;

    public static ReadOptions defaults() {
        return new ReadOptions(FieldMapping.defaults(), DEFAULT_MAX_DOCUMENT_BYTES, n -> { });
    }

    public ReadOptions withProgress(LongConsumer progress) {
        return new ReadOptions(fields, maxDocumentBytes, progress);
    }
}
