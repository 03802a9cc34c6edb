package io.recurate.curation.policy;

/**
 * Removes what the version estimates is violating plus a stated allowance of benign documents: the share
 * π̂ + m·(1 − π̂) of the source, at most {@code maxShare}, where π̂ is the lower end of the {@link PriorEstimate}'s
 * interval on the version's scores of the source (the estimate with a few dozen exemplars is uncertain, and an
 * overestimate costs benign documents: a cut removes no more than the estimate justifies at its low end) and m the
 * benign share the user accepts to lose for the violators the ranking places among them (5%
 * by default: a cut at 95% estimated benign retention). Without exemplars' held-out scores to correct the scores (a
 * version of one model, or trained elsewhere) π̂ is the share scoring at or above 1/2.
 *
 * <p>A guard for the benign documents: the cut never reaches below the score that more than 10% of the constitution's
 * acceptable exemplars reach with their held-out scores, whatever π̂ says. A weak model's scores overlap, and both
 * quantifiers then overestimate π; measured on a corpus a model ranked at AUC 0.80, π̂ was 0.37 for 0.15 violating and
 * the unguarded cut kept 65% of the benign documents.
 */
public record PriorCut(double benignAllowance, double maxShare) implements ThresholdPolicy {
    /** The most of the acceptable exemplars a cut may remove by their held-out scores. */
    static final double GUARD = 0.10;

    public PriorCut {
        if (!(benignAllowance >= 0 && benignAllowance < 1) || !(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("the benign allowance must lie in [0, 1) and the max share in (0, 1], got "
                    + benignAllowance + ", " + maxShare);
        }
    }

    @Override
    public String name() {
        return "estimated violating share plus " + Math.round(100 * benignAllowance) + "% of the rest";
    }

    @Override
    public float threshold(PassView pass) {
        float[] scores = pass.sourceScores().get();
        double prior = PriorEstimate.of(scores, null, pass.calibration()).map(PriorEstimate::low)
                .orElseGet(() -> RemovalBudget.shareAtOrAbove(scores, 0.5f));
        double share = Math.min(maxShare, prior + benignAllowance * (1 - prior));
        float tau = share <= 0 ? Math.nextUp(1f) : RemovalBudget.quantileThreshold(scores, share);
        return Math.max(tau, benignGuard(TrainedVersion.heldOutScores(pass.calibration(), false)));
    }

    /** The lowest τ at which at most 10% of the acceptable exemplars' held-out scores are at or above τ (0 without any). */
    static float benignGuard(double[] acceptableHeldOut) {
        int n = acceptableHeldOut.length;
        if (n == 0) {
            return 0f;
        }
        double[] sorted = acceptableHeldOut.clone();
        java.util.Arrays.sort(sorted);
        int allowed = (int) Math.floor(GUARD * n + 1e-9);
        return allowed >= n ? 0f : Math.nextUp((float) sorted[n - allowed - 1]);
    }
}
