package io.recurate.cli.loop;

import io.recurate.schemas.SourceMode;

/**
 * How the loop runs.
 *
 * @param mode       NESTED (pass n+1 scores pass n's kept) or FULL (every pass rescores the ingest topic)
 * @param maxPasses  stop after this many passes
 * @param delta      stop when a pass removes less than this fraction of its source (self-consistent)
 * @param threshold  violation threshold tau of every pass (fixed-threshold policy)
 * @param budget     removal budget q: when set, each pass's tau is chosen so that it removes the q
 *                   highest-scoring fraction of its source; null for the fixed threshold
 * @param modelName  name of the model the loop trains
 */
public record LoopSettings(SourceMode mode, int maxPasses, double delta, float threshold, Double budget, String modelName) {
    public LoopSettings {
        if (budget != null && !(budget > 0 && budget < 1)) {
            throw new IllegalArgumentException("--budget must be a fraction in (0, 1), got " + budget);
        }
    }
}
