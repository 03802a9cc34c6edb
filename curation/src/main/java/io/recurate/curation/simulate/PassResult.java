package io.recurate.curation.simulate;

/**
 * One simulated pass, measured against the gold labels.
 *
 * @param restored        documents removed by the previous pass and kept by this one (full mode)
 * @param sourceAuc       how well the pass's scores rank its source (ROC AUC against the gold labels)
 * @param corpusAuc       how well the pass's version ranks the whole corpus (its held-out scores)
 * @param violatingAt90   the violating share a single cut of the version's corpus scores keeps at 90% benign retention
 * @param violatingAt95   ... at 95%
 * @param v0AtRetention   the violating share v0's scores, cut once, keep at this pass's benign retention: what
 *                        filtering once would have given for the same benign cost
 */
public record PassResult(int pass, float threshold, int input, int kept, int removed, int restored, int violatingKept,
                         int acceptableKept, int corpusViolating, int corpusAcceptable, double sourceAuc, double corpusAuc,
                         double violatingAt90, double violatingAt95, double v0AtRetention) {
    /** Violating share of what the pass kept. */
    public double violatingShare() {
        return kept == 0 ? 0 : (double) violatingKept / kept;
    }

    /** Share of the corpus's acceptable documents still kept. */
    public double benignRetention() {
        return corpusAcceptable == 0 ? 1 : (double) acceptableKept / corpusAcceptable;
    }

    public double removedShare() {
        return input == 0 ? 0 : (double) removed / input;
    }
}
