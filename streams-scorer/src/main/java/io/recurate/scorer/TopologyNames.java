package io.recurate.scorer;

/**
 * The names of the scoring topology's sinks and stores: declared by {@link ScoringTopology}, forwarded to and opened
 * by the processor and the batch scorer, which so need nothing of the class that builds them.
 */
final class TopologyNames {
    static final String KEPT = "kept";
    static final String REMOVED = "removed";
    static final String ANNOTATIONS = "annotations";
    static final String DLQ = "dlq";
    static final String PROGRESS = "progress";
    /** A name of its own: builds before it logged whole documents, in another format, to "batch-buffer". */
    static final String BUFFER_STORE = "unscored-offsets";
    static final String PROGRESS_STORE = "pass-progress";

    private TopologyNames() {
    }
}
