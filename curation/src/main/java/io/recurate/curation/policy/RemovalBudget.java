package io.recurate.curation.policy;

import java.util.Arrays;

/** Each pass removes the {@code q} highest-scoring share of its source: τ is the source's (1 − q) score quantile. */
public record RemovalBudget(double q) implements ThresholdPolicy {
    public RemovalBudget {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("A removal budget is a share in (0, 1), got " + q);
        }
    }

    @Override
    public String name() {
        return "budget " + q;
    }

    @Override
    public float threshold(PassView pass) {
        return quantileThreshold(pass.sourceScores().get(), q);
    }

    /** The share of {@code scores} at or above {@code tau}. */
    static double shareAtOrAbove(float[] scores, float tau) {
        long n = 0;
        for (float s : scores) {
            n += s >= tau ? 1 : 0;
        }
        return scores.length == 0 ? 0 : (double) n / scores.length;
    }

    /** The smallest τ that removes at most the {@code q} highest-scoring share of {@code scores}. */
    public static float quantileThreshold(float[] scores, double q) {
        if (scores.length == 0) {
            return 1f;
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        int keep = (int) Math.ceil(sorted.length * (1 - q));
        if (keep >= sorted.length) {
            return Math.nextUp(sorted[sorted.length - 1]); // removes nothing
        }
        // Ties at the cut all fall on the removed side of >= τ; move τ above them when that overshoots.
        float tau = sorted[keep];
        return keep > 0 && sorted[keep - 1] == tau ? Math.nextUp(tau) : tau;
    }
}
