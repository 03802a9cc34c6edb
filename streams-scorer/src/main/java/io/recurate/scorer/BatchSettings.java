package io.recurate.scorer;

import java.time.Duration;

/**
 * When the buffer is scored: as soon as it holds {@code maxBatch} records, or when its oldest record
 * has waited {@code maxWait} (checked by a wall-clock punctuator).
 */
public record BatchSettings(int maxBatch, Duration maxWait) {
    public BatchSettings {
        if (maxBatch < 1 || maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("batch size must be >= 1 and wait > 0, got " + maxBatch + ", " + maxWait);
        }
    }

    /** 256 records or 50 ms. */
    public static BatchSettings defaults() {
        return new BatchSettings(256, Duration.ofMillis(50));
    }
}
