package io.recurate.curation.policy;

import java.util.Map;

/**
 * Removes a growing share of the source, up to {@code fraction} of the violating share that the pass's
 * version estimates: pass n removes min(1, n / ramp) · fraction · π̂ (at most {@code maxShare}). Growing
 * slowly lets each retrained version rank the next documents before they are removed (and, in full mode,
 * bring back the ones removed wrongly); stopping short of π̂ leaves room for the ranking's errors at the cut,
 * which cost benign documents.
 *
 * <p>π̂ is the probabilistic adjusted count (Bella, Ferri, Hernández-Orallo and Ramírez-Quintana, 2010):
 * the mean score of the source, corrected by the mean held-out scores t̄ and f̄ of the constitution's
 * violating and acceptable exemplars, π̂ = (mean − f̄) / (t̄ − f̄). Re-estimated with every version, which
 * ranks better than the last. Without exemplar means (a version of one model) it falls back to Forman's
 * adjusted count at 1/2 (2005), π̂ = (share ≥ 1/2 − f̂) / (r̂ − f̂), and without those to the share itself.
 */
public record PriorRamp(int ramp, double fraction, double maxShare) implements ThresholdPolicy {
    /** Below this separation of the exemplars the correction divides by noise: the next estimate is used. */
    static final double MIN_SEPARATION = 0.2;

    public PriorRamp {
        if (ramp < 1 || !(fraction > 0 && fraction <= 1) || !(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("ramp must be at least 1 and fraction and max share in (0, 1], got "
                    + ramp + ", " + fraction + ", " + maxShare);
        }
    }

    @Override
    public String name() {
        return "prior ramp to " + fraction + " of the estimated violating share over " + ramp + " passes";
    }

    @Override
    public float threshold(PassView pass) {
        float[] scores = pass.sourceScores().get();
        double target = Math.min(maxShare, fraction * estimatedPrior(scores, pass.calibration()));
        double share = target * Math.min(1.0, (double) pass.pass() / ramp);
        return share <= 0 ? Math.nextUp(1f) : RemovalBudget.quantileThreshold(scores, share);
    }

    /** The violating share of {@code scores}' documents, by the best correction the calibration allows. */
    public static double estimatedPrior(float[] scores, Map<String, Double> calibration) {
        double mean = 0;
        double atOrAboveHalf = 0;
        for (float s : scores) {
            mean += s;
            atOrAboveHalf += s >= 0.5f ? 1 : 0;
        }
        mean = scores.length == 0 ? 0 : mean / scores.length;
        atOrAboveHalf = scores.length == 0 ? 0 : atOrAboveHalf / scores.length;
        Double t = calibration.get(TrainedVersion.EXEMPLAR_VIOLATING_MEAN);
        Double f = calibration.get(TrainedVersion.EXEMPLAR_ACCEPTABLE_MEAN);
        if (t != null && f != null && t - f >= MIN_SEPARATION) {
            return clamp((mean - f) / (t - f));
        }
        return adjustedCount(atOrAboveHalf, calibration);
    }

    /** Forman's adjusted count from the share scoring at or above 1/2 and the version's exemplar rates there. */
    public static double adjustedCount(double shareAtOrAboveHalf, Map<String, Double> calibration) {
        Double r = calibration.get(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF);
        Double f = calibration.get(TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF);
        if (r == null || f == null || r - f < MIN_SEPARATION) {
            return shareAtOrAboveHalf;
        }
        return clamp((shareAtOrAboveHalf - f) / (r - f));
    }

    private static double clamp(double p) {
        return Math.max(0, Math.min(1, p));
    }
}
