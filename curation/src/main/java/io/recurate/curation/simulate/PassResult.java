package io.recurate.curation.simulate;

/**
 * One simulated pass, measured against the gold labels.
 *
 * @param restored  documents removed by the previous pass and kept by this one (full mode)
 * @param sourceAuc how well the pass's scores rank its source (ROC AUC against the gold labels)
 */
public record PassResult(int pass, float threshold, int input, int kept, int removed, int restored, int violatingKept,
                         int acceptableKept, int corpusViolating, int corpusAcceptable, double sourceAuc) {
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
