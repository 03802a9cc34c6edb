package io.recurate.model.train;

import java.util.Arrays;

/** Binary classification metrics of scores against labels (violating = positive). */
public final class Metrics {
    private Metrics() {
    }

    /**
     * ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half; NaN when one class is
     * missing.
     */
    public static double rocAuc(float[] scores, boolean[] violating) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                if (violating[order[k]]) {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Counts at a threshold: a score at or above it is predicted violating. */
    public record Confusion(long truePositives, long falsePositives, long trueNegatives, long falseNegatives) {
        public double accuracy() {
            return ratio(truePositives + trueNegatives, truePositives + falsePositives + trueNegatives + falseNegatives);
        }

        public double precision() {
            return ratio(truePositives, truePositives + falsePositives);
        }

        /** Share of violating documents caught: r in DESIGN.md. */
        public double recall() {
            return ratio(truePositives, truePositives + falseNegatives);
        }

        /** Share of acceptable documents removed: f in DESIGN.md. */
        public double falsePositiveRate() {
            return ratio(falsePositives, falsePositives + trueNegatives);
        }

        private static double ratio(long a, long b) {
            return b == 0 ? Double.NaN : (double) a / b;
        }
    }

    public static Confusion confusion(float[] scores, boolean[] violating, float threshold) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean predicted = scores[i] >= threshold;
            if (predicted && violating[i]) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (violating[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        return new Confusion(tp, fp, tn, fn);
    }

    /** Mean weighted logistic loss. */
    public static double logLoss(float[] scores, boolean[] violating) {
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double p = Math.min(Math.max(scores[i], 1e-7), 1 - 1e-7);
            sum -= violating[i] ? Math.log(p) : Math.log(1 - p);
        }
        return scores.length == 0 ? Double.NaN : sum / scores.length;
    }
}
