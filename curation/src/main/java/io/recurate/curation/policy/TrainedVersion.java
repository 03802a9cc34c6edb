package io.recurate.curation.policy;

import io.recurate.curation.train.FoldModels;
import java.util.Map;

/**
 * A trained version: its fold models and what its training learned about calibration, recorded with the
 * version (in its manifests and {@code ModelVersion} metrics) so that the next pass's threshold can use it.
 */
public record TrainedVersion(FoldModels models, Map<String, Double> calibration) {
    /** The threshold the training policy suggests on this version's scores. */
    public static final String THRESHOLD = "calibration.threshold";
    /** Elkan and Noto's label frequency c = P(labelled | violating), estimated on held-out positives. */
    public static final String LABEL_FREQUENCY = "calibration.label_frequency";
    /** The estimated violating share of the pass's documents. */
    public static final String PRIOR = "calibration.prior";
    /** Labelled positives whose out-of-fold scores estimated c (or the spies' number). */
    public static final String HELD_OUT = "calibration.held_out";

    /** Held-out scores of the constitution's violating exemplars: their 10% quantile (90% of them score at or above). */
    public static final String EXEMPLAR_VIOLATING_Q10 = "exemplars.violating.q10";
    /** ... and their median. */
    public static final String EXEMPLAR_VIOLATING_Q50 = "exemplars.violating.q50";
    /** Held-out scores of the constitution's acceptable exemplars: their 90% quantile. */
    public static final String EXEMPLAR_ACCEPTABLE_Q90 = "exemplars.acceptable.q90";

    /** Share of held-out violating exemplars scoring at or above 1/2 (the version's estimated recall there). */
    public static final String EXEMPLAR_VIOLATING_ABOVE_HALF = "exemplars.violating.above_half";
    /** Share of held-out acceptable exemplars scoring at or above 1/2 (its estimated false-positive rate there). */
    public static final String EXEMPLAR_ACCEPTABLE_ABOVE_HALF = "exemplars.acceptable.above_half";

    /** Mean held-out score of the constitution's violating exemplars. */
    public static final String EXEMPLAR_VIOLATING_MEAN = "exemplars.violating.mean";
    /** Mean held-out score of the constitution's acceptable exemplars. */
    public static final String EXEMPLAR_ACCEPTABLE_MEAN = "exemplars.acceptable.mean";
    /**
     * Each exemplar's held-out score, sorted, under {@code exemplars.violating.score.NNN} and
     * {@code exemplars.acceptable.score.NNN}: what {@link PriorEstimate} sweeps and resamples.
     */
    static final String VIOLATING_SCORE_PREFIX = "exemplars.violating.score.";
    static final String ACCEPTABLE_SCORE_PREFIX = "exemplars.acceptable.score.";
    /** The prior interval's ends, where a training rule estimated one. */
    public static final String PRIOR_LOW = "calibration.prior.low";
    public static final String PRIOR_HIGH = "calibration.prior.high";

    public TrainedVersion {
        calibration = Map.copyOf(calibration);
    }

    /**
     * A version with {@code calibration} plus the held-out exemplar quantiles (when the constitution was
     * cross-fitted, i.e. the version has 2 folds or more).
     */
    public static TrainedVersion of(FoldModels models, java.util.List<io.recurate.model.train.Example> constitution,
                                    Map<String, Double> calibration) {
        Map<String, Double> all = new java.util.HashMap<>(calibration);
        if (models.k() > 1) {
            float[] violating = io.recurate.curation.train.Exemplars.heldOutScores(models, constitution, true);
            float[] acceptable = io.recurate.curation.train.Exemplars.heldOutScores(models, constitution, false);
            if (violating.length > 0) {
                all.put(EXEMPLAR_VIOLATING_ABOVE_HALF, shareAtOrAbove(violating, 0.5f));
                all.put(EXEMPLAR_VIOLATING_MEAN, mean(violating));
                putScores(all, VIOLATING_SCORE_PREFIX, violating);
                all.put(EXEMPLAR_VIOLATING_Q10, quantile(violating, 0.1));
                all.put(EXEMPLAR_VIOLATING_Q50, quantile(violating, 0.5));
            }
            if (acceptable.length > 0) {
                all.put(EXEMPLAR_ACCEPTABLE_ABOVE_HALF, shareAtOrAbove(acceptable, 0.5f));
                all.put(EXEMPLAR_ACCEPTABLE_MEAN, mean(acceptable));
                putScores(all, ACCEPTABLE_SCORE_PREFIX, acceptable);
                all.put(EXEMPLAR_ACCEPTABLE_Q90, quantile(acceptable, 0.9));
            }
        }
        return new TrainedVersion(models, all);
    }

    static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    private static void putScores(Map<String, Double> calibration, String prefix, float[] scores) {
        float[] sorted = scores.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            calibration.put(String.format(java.util.Locale.ROOT, "%s%03d", prefix, i), (double) sorted[i]);
        }
    }

    /** The held-out scores of one class of exemplars a version recorded (empty for a version without them). */
    public static double[] heldOutScores(Map<String, Double> calibration, boolean violating) {
        String prefix = violating ? VIOLATING_SCORE_PREFIX : ACCEPTABLE_SCORE_PREFIX;
        return calibration.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .sorted(Map.Entry.comparingByKey()).mapToDouble(Map.Entry::getValue).toArray();
    }

    static double shareAtOrAbove(float[] values, float tau) {
        int n = 0;
        for (float v : values) {
            n += v >= tau ? 1 : 0;
        }
        return values.length == 0 ? 0 : (double) n / values.length;
    }

    /** The q quantile of {@code values} (linear between order statistics). */
    static double quantile(float[] values, double q) {
        float[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
