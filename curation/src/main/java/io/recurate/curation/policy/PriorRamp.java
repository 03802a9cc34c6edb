package io.recurate.curation.policy;

/**
 * Removes, by the last ramp pass, {@code fraction} of the violating share estimated in pass 1, growing
 * towards it: pass n removes min(1, n / ramp) · fraction · π̂ of its source (at most {@code maxShare}). The
 * fraction below 1 leaves room for the ranking's errors at the cut, which cost benign documents. π̂ is the adjusted count of Forman (2005): the share of the
 * source scoring at or above 1/2, corrected by the recall r̂ and false-positive rate f̂ the version shows
 * on held-out constitution exemplars, π̂ = (share − f̂) / (r̂ − f̂). Growing slowly lets each retrained
 * version rank the next documents before they are removed (and, in full mode, bring back the ones the
 * earlier versions removed wrongly).
 */
public record PriorRamp(int ramp, double fraction, double maxShare, boolean exemplarGuard) implements ThresholdPolicy {
    /** Below this r̂ − f̂ the exemplars cannot correct the count: the plain count is used. */
    static final double MIN_SEPARATION = 0.3;

    @Override
    public String name() {
        return "prior ramp to " + fraction + " of the estimated violating share over " + ramp + " passes";
    }

    @Override
    public float threshold(PassView pass) {
        float[] scores = pass.sourceScores().get();
        double estimate = Double.isNaN(pass.corpusPrior()) ? estimatedPrior(scores, pass.calibration()) : pass.corpusPrior();
        double target = Math.min(maxShare, fraction * estimate);
        double share = target * Math.min(1.0, (double) pass.pass() / ramp);
        float tau = share <= 0 ? 1f + Math.ulp(1f) : RemovalBudget.quantileThreshold(scores, share);
        Double acceptableQ90 = pass.calibration().get(TrainedVersion.EXEMPLAR_ACCEPTABLE_Q90);
        if (exemplarGuard && acceptableQ90 != null && tau < acceptableQ90) {
            // The estimate reached into what the held-out acceptable exemplars score: keep 90% of them.
            return Math.nextUp(acceptableQ90.floatValue());
        }
        return tau;
    }

    public static double estimatedPrior(float[] scores, java.util.Map<String, Double> calibration) {
        double count = 0;
        for (float s : scores) {
            count += s >= 0.5f ? 1 : 0;
        }
        return adjustedCount(scores.length == 0 ? 0 : count / scores.length, calibration);
    }

    /** Forman's adjusted count from the share scoring at or above 1/2 and the version's exemplar rates there. */
    public static double adjustedCount(double shareAtOrAboveHalf, java.util.Map<String, Double> calibration) {
        Double r = calibration.get(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF);
        Double f = calibration.get(TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF);
        if (r == null || f == null || r - f < MIN_SEPARATION) {
            return shareAtOrAboveHalf;
        }
        return Math.max(0, Math.min(1, (shareAtOrAboveHalf - f) / (r - f)));
    }
}
