package io.recurate.curation.loop;

import io.recurate.schemas.Decision;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Counts one pass's decisions as its kept and removed records are read: kept and removed, restored and
 * removed anew against the previous pass's removals, and by gold label. The loop's table and the report
 * both count through it, so the two agree. Input is what the pass decided (kept + removed); the DLQ is
 * shown beside it, from the pass's status.
 */
public final class PassTally implements Consumer<ScoredDocument> {
    private final GoldLabels labels;
    private final Set<Long> previousRemoved;
    private final Set<Long> removedNow = new HashSet<>();
    private long kept;
    private long removed;
    private long restored;
    private long removedAnew;
    private final long[] labelled = new long[4]; // violating kept, violating removed, acceptable kept, acceptable removed

    /** @param previousRemoved id fingerprints ({@link LoopRunner#fingerprint}) the previous pass removed */
    public PassTally(GoldLabels labels, Set<Long> previousRemoved) {
        this.labels = labels;
        this.previousRemoved = previousRemoved;
    }

    @Override
    public void accept(ScoredDocument d) {
        boolean isKept = d.getDecision() == Decision.KEPT;
        long id = LoopRunner.fingerprint(d.getDocument().getId());
        if (isKept) {
            kept++;
            restored += previousRemoved.contains(id) ? 1 : 0;
        } else {
            removed++;
            removedNow.add(id);
            removedAnew += previousRemoved.contains(id) ? 0 : 1;
        }
        Boolean violating = labels.violating(d.getDocument().getMetadata());
        if (violating != null) {
            labelled[(violating ? 0 : 2) + (isKept ? 0 : 1)]++;
        }
    }

    /** Fingerprints of the ids this pass removed: the next pass's {@code previousRemoved}. */
    public Set<Long> removedNow() {
        return removedNow;
    }

    public PassReport report(PassStatus status, double seconds) {
        boolean anyLabel = labelled[0] + labelled[1] + labelled[2] + labelled[3] > 0;
        long dlq = status.getCounts() == null ? 0 : status.getCounts().getDlq();
        return new PassReport(status.getPass(), status.getModelVersion(), status.getThreshold(), kept + removed, kept,
                removed, dlq, restored, removedAnew, anyLabel ? labelled[0] : -1, labelled[1], labelled[2], labelled[3],
                seconds);
    }
}
