package io.recurate.cli.loop;

import io.recurate.schemas.SourceMode;

/**
 * How the loop runs.
 *
 * @param mode       NESTED (pass n+1 scores pass n's kept) or FULL (every pass rescores the ingest topic)
 * @param maxPasses  stop after this many passes
 * @param delta      stop when a pass removes less than this fraction of its source (self-consistent)
 * @param threshold  violation threshold tau of every pass
 * @param modelName  name of the model the loop trains
 */
public record LoopSettings(SourceMode mode, int maxPasses, double delta, float threshold, String modelName) {
}
