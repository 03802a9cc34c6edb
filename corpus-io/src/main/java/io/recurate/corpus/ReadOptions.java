package io.recurate.corpus;

import java.util.function.LongConsumer;

/**
 * How to read corpus files.
 *
 * @param maxDocumentBytes a record (JSONL line or Parquet text) larger than this is skipped as too large
 * @param progress         told how many bytes of the file (as stored, compressed or not) were consumed since the last call
 */
public record ReadOptions(FieldMapping fields, long maxDocumentBytes, LongConsumer progress) {

    /** One size rule for every way in ({@code publish}, {@code run --corpus}): {@code --max-doc-mb}, decimal MB. */
    public static final double DEFAULT_MAX_DOC_MB = 16;
    /** The topics take records of 64 MiB; a document is at most this many MB. */
    public static final double MAX_DOC_MB = 60;
    public static final long DEFAULT_MAX_DOCUMENT_BYTES = maxDocumentBytes(DEFAULT_MAX_DOC_MB);

    /** The byte limit of {@code --max-doc-mb MB}, refused outside (0, {@value #MAX_DOC_MB}]. */
    public static long maxDocumentBytes(double mb) {
        if (!(mb > 0 && mb <= MAX_DOC_MB)) {
            throw new IllegalArgumentException("--max-doc-mb must be more than 0 and at most " + (int) MAX_DOC_MB
                    + " (the topics take records of 64 MiB), was " + mb);
        }
        return Math.round(mb * 1e6);
    }

    /** "60,000,123 bytes is over the limit of 60,000,000 bytes": MB where they tell the two apart, else bytes. */
    public static String overLimit(long bytes, long limit) {
        String size = String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
        String max = String.format(java.util.Locale.ROOT, "%.1f MB", limit / 1e6);
        if (size.equals(max)) {
            size = String.format(java.util.Locale.ROOT, "%,d bytes", bytes);
            max = String.format(java.util.Locale.ROOT, "%,d bytes", limit);
        }
        return size + " is over the limit of " + max + " (--max-doc-mb)";
    }

    public static ReadOptions defaults() {
        return new ReadOptions(FieldMapping.defaults(), DEFAULT_MAX_DOCUMENT_BYTES, n -> { });
    }

    public ReadOptions withProgress(LongConsumer progress) {
        return new ReadOptions(fields, maxDocumentBytes, progress);
    }
}
