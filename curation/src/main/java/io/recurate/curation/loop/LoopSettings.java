package io.recurate.curation.loop;

import io.recurate.curation.policy.CurationPolicy;

/**
 * How the loop runs.
 *
 * @param policy     source mode, cross-fitting, training and threshold rules
 * @param maxPasses  stop after this many passes
 * @param delta      stop when a pass changes less than this share of its source's decisions (self-consistent):
 *                   in nested mode the share it removes, in full mode the share removed anew plus the share
 *                   restored against the previous pass
 * @param modelName  name of the model the loop trains
 * @param labels     where the corpus keeps gold labels, for the table's quality columns
 */
public record LoopSettings(CurationPolicy policy, int maxPasses, double delta, String modelName, GoldLabels labels) {
    public LoopSettings(CurationPolicy policy, int maxPasses, double delta, String modelName) {
        this(policy, maxPasses, delta, modelName, GoldLabels.DEFAULT);
    }

    public LoopSettings {
        if (maxPasses < 1) {
            throw new IllegalArgumentException("--max-passes must be at least 1, got " + maxPasses);
        }
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("--delta must be a share in [0, 1), got " + delta);
        }
    }
}
