package io.recurate.scorer;

import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * What a pass's topology needs to know: its number, source, pinned model version, threshold and the
 * source offsets it covers. Records at or past a partition's recorded end belong to a later pass.
 */
public record PassContext(int pass, String sourceTopic, String modelVersion, float threshold,
                          Map<Integer, Long> endOffsets) {

    public static PassContext of(PassStatus status) {
        Map<Integer, Long> ends = new HashMap<>();
        for (OffsetRange range : status.getSourceEndOffsets()) {
            ends.put(range.getPartition(), range.getEndOffset());
        }
        return new PassContext(status.getPass(), status.getSourceTopic(), status.getModelVersion(),
                status.getThreshold(), Map.copyOf(ends));
    }

    /** End offset of a source partition; a partition the pass did not record has none of its records. */
    long endOffset(int partition) {
        return endOffsets.getOrDefault(partition, 0L);
    }

    /** Kafka Streams application id of the pass: its consumer group and state. */
    public static String applicationId(String namespace, int pass) {
        return namespace + "-scorer-p" + pass;
    }
}
