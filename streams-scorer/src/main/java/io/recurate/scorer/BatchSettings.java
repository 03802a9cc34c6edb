package io.recurate.scorer;

import java.time.Duration;

/**
 * When the buffer is scored: as soon as it holds {@code maxBatch} records or {@code maxBytes} bytes of records (so
 * that a partition's buffer of 50 MB documents stays bounded), or when its oldest record has waited {@code maxWait}
 * (checked by a wall-clock punctuator).
 */
public record BatchSettings(int maxBatch, Duration maxWait, long maxBytes) {
    /** Bytes of buffered records per partition at most (then the batch is scored): 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    public BatchSettings {
        if (maxBatch < 1 || maxWait.isNegative() || maxWait.isZero() || maxBytes < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, wait > 0 and bytes >= 1, got " + maxBatch + ", "
                    + maxWait + ", " + maxBytes);
        }
    }

    public BatchSettings(int maxBatch, Duration maxWait) {
        this(maxBatch, maxWait, DEFAULT_MAX_BYTES);
    }

    /** 256 records or 50 ms. */
    public static BatchSettings defaults() {
        return new BatchSettings(256, Duration.ofMillis(50));
    }
}
