package io.recurate.curation.policy;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a threshold policy sees of the pass it sets τ for.
 *
 * @param pass                the pass number, from 1
 * @param calibration         what the pass's model version recorded about calibration (empty for a version
 *                            trained elsewhere)
 * @param sourceScores        the cross-fitted scores of the pass's source (or a uniform sample); computed when asked
 * @param previousRemovedShare the share of its source the previous pass removed (0 before pass 1)
 */
public record PassView(int pass, Map<String, Double> calibration, Supplier<float[]> sourceScores,
                       double previousRemovedShare) {
}
