package io.recurate.corpus;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The corpus file formats recurate reads, known by file name. */
public enum CorpusFormat {
    JSONL, JSONL_GZ, JSONL_ZST, PARQUET;

    /** The format of a file by its name, or empty when recurate does not read such files. */
    public static Optional<CorpusFormat> of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return Optional.of(PARQUET);
        }
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3)
                : name.endsWith(".zst") ? name.substring(0, name.length() - 4)
                : name.endsWith(".zstd") ? name.substring(0, name.length() - 5) : name;
        if (!base.endsWith(".jsonl") && !base.endsWith(".json") && !base.endsWith(".ndjson")) {
            return Optional.empty();
        }
        if (name.endsWith(".gz")) {
            return Optional.of(JSONL_GZ);
        }
        return Optional.of(name.endsWith(".zst") || name.endsWith(".zstd") ? JSONL_ZST : JSONL);
    }
}
