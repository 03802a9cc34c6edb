package io.recurate.scorer;

import io.recurate.schemas.OffsetRange;
import io.recurate.schemas.PassStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * What a pass's topology needs to know: its number, source, pinned model version, threshold and the
 * source offsets it covers. Records at or past a partition's recorded end belong to a later pass.
 */
public record PassContext(int pass, String variant, String sourceTopic, String modelVersion, float threshold,
                          Map<Integer, Long> endOffsets) {

    public PassContext(int pass, String sourceTopic, String modelVersion, float threshold, Map<Integer, Long> endOffsets) {
        this(pass, null, sourceTopic, modelVersion, threshold, endOffsets);
    }

    public static PassContext of(PassStatus status) {
        return of(status, null, status.getModelVersion());
    }

    /** The pass replayed as a variant (into its own topics) with another model version. */
    public static PassContext of(PassStatus status, String variant, String modelVersion) {
        Map<Integer, Long> ends = new HashMap<>();
        for (OffsetRange range : status.getSourceEndOffsets()) {
            ends.put(range.getPartition(), range.getEndOffset());
        }
        return new PassContext(status.getPass(), variant, status.getSourceTopic(), modelVersion,
                status.getThreshold(), Map.copyOf(ends));
    }

    /** End offset of a source partition; a partition the pass did not record has none of its records. */
    long endOffset(int partition) {
        return endOffsets.getOrDefault(partition, 0L);
    }

    /** Kafka Streams application id of the pass: its consumer group and state. */
    public static String applicationId(String namespace, int pass) {
        return applicationId(namespace, pass, null);
    }

    public static String applicationId(String namespace, int pass, String variant) {
        return namespace + "-scorer-p" + pass + (variant == null ? "" : "-" + variant);
    }

    public String applicationId(String namespace) {
        return applicationId(namespace, pass, variant);
    }
}
