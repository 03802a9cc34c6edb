package io.recurate.curation.policy;

import io.recurate.schemas.SourceMode;

/**
 * A whole way of running the loop: which documents a pass scores ({@code mode}), how many fold models a
 * version has ({@code folds}; 1 is no cross-fitting), how the next version is trained and how each pass's
 * threshold is chosen.
 */
public record CurationPolicy(String name, SourceMode mode, int folds, TrainingPolicy training, ThresholdPolicy threshold) {
    public CurationPolicy {
        if (folds < 1) {
            throw new IllegalArgumentException("folds must be at least 1, got " + folds);
        }
    }

    public String describe() {
        return name + " (" + mode.name().toLowerCase() + ", " + (folds == 1 ? "no cross-fitting" : folds + "-fold cross-fitting")
                + ", training " + training.name() + ", threshold " + threshold.name() + ")";
    }
}
