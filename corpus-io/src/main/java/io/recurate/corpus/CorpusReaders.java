package io.recurate.corpus;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads one corpus file. Good documents go to {@code documents}, every problem to {@code bad}, with
 * file and line (or row group and row); a {@code bad} consumer that throws stops the read there.
 */
public final class CorpusReaders {
    private CorpusReaders() {
    }

    public static void read(Path file, ReadOptions options, Consumer<SourceDocument> documents, Consumer<BadInput> bad) {
        CorpusFormat format = CorpusFormat.of(file).orElseThrow(() -> new IllegalArgumentException(
                "Unknown corpus format: " + file + " (expected .jsonl, .jsonl.gz, .jsonl.zst or .parquet)"));
        if (format == CorpusFormat.PARQUET) {
            ParquetSource.read(file, options, documents, bad);
        } else {
            JsonlSource.read(file, options, documents, bad);
        }
    }
}
