package io.recurate.scorer;

import java.util.List;

/** Reads a range of a source partition again: the records a batch buffer held when its task last committed. */
@FunctionalInterface
interface SourceRereader {
    /** The records of {@code topic}-{@code partition} in {@code range}, in offset order. */
    List<BufferedRecord> read(String topic, int partition, UnscoredRange range);
}
