package io.recurate.curation.loop;

import io.recurate.model.train.Metrics;

/**
 * One row of the loop's table: what a pass did, and with labels in the corpus, how well.
 *
 * @param restored          documents the previous pass removed and this one kept (full mode)
 * @param newlyRemoved      documents the previous pass kept (or did not see) and this one removed
 * @param violatingKept     labelled violating documents kept (-1 without labels)
 * @param violatingRemoved  labelled violating documents removed
 * @param acceptableKept    labelled acceptable documents kept
 * @param acceptableRemoved labelled acceptable documents removed
 */
public record PassReport(int pass, String modelVersion, float threshold, long input, long kept, long removed, long dlq,
                         long restored, long newlyRemoved, long violatingKept, long violatingRemoved, long acceptableKept,
                         long acceptableRemoved, double seconds) {

    /** The model version the pass was pinned to. */
    public String version() {
        return modelVersion;
    }

    public double removedFraction() {
        return input == 0 ? 0 : (double) removed / input;
    }

    /** Share of the source whose decision differs from the previous pass's (removed anew or restored). */
    public double changedFraction() {
        return input == 0 ? 0 : (double) (newlyRemoved + restored) / input;
    }

    public boolean labelled() {
        return violatingKept >= 0 && violatingKept + violatingRemoved + acceptableKept + acceptableRemoved > 0;
    }

    /** Violating share of what the pass kept. */
    public double violatingInKept() {
        return ratio(violatingKept, violatingKept + acceptableKept);
    }

    /** The pass as a classifier of its source: removing a violating document is a true positive. */
    public Metrics.Confusion confusion() {
        return new Metrics.Confusion(violatingRemoved, acceptableRemoved, acceptableKept, violatingKept);
    }

    /** r: share of the source's violating documents this pass removed. */
    public double recall() {
        return confusion().recall();
    }

    /** f: share of the source's acceptable documents this pass removed. */
    public double falsePositiveRate() {
        return confusion().falsePositiveRate();
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
