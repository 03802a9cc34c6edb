package io.recurate.corpus;

/** How exported shards are written. */
public enum ShardFormat {
    /** gzipped JSON lines, readable by anything; what {@code recurate publish} reads back. */
    JSONL(".jsonl.gz"),
    /** Parquet with zstd pages, as the Hugging Face data sets ship. */
    PARQUET(".parquet");

    private final String extension;

    ShardFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }
}
