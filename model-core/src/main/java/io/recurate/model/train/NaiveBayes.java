package io.recurate.model.train;

import io.recurate.model.featurize.FeaturizerSpec;

/**
 * Multinomial naive Bayes over the featurizer's hashed n-gram buckets, with fractional (soft) class
 * weights per document, so that EM can train it on posteriors (Nigam, McCallum, Thrun and Mitchell,
 * 2000). Counting is one pass over the ids; the per-bucket log-likelihood ratios
 * log P(bucket | violating) − log P(bucket | acceptable), Laplace-smoothed over the buckets seen, are
 * the model: {@link #meanScore} averages them over a document (what the served graph computes, a ranking
 * that does not grow with length) and {@link #sumScore} adds them up (the naive Bayes log-likelihood ratio
 * of the whole document, for posteriors).
 */
public final class NaiveBayes {
    private final FeaturizerSpec spec;
    private final double[] violating;
    private final double[] acceptable;

    public NaiveBayes(FeaturizerSpec spec) {
        this.spec = spec;
        this.violating = new double[spec.buckets() + 1];
        this.acceptable = new double[spec.buckets() + 1];
    }

    public FeaturizerSpec spec() {
        return spec;
    }

    /**
     * Counts a document's ids with weight {@code pViolating} for the violating class and {@code pAcceptable}
     * for the other; negative weights take a document's counts out again (a fold's model is the total minus
     * the fold's own documents).
     */
    public void add(int[] ids, double pViolating, double pAcceptable) {
        for (int id : ids) {
            violating[id] += pViolating;
            acceptable[id] += pAcceptable;
        }
    }

    public NaiveBayes copy() {
        NaiveBayes c = new NaiveBayes(spec);
        System.arraycopy(violating, 0, c.violating, 0, violating.length);
        System.arraycopy(acceptable, 0, c.acceptable, 0, acceptable.length);
        return c;
    }

    /** Per-bucket log-likelihood ratios, Laplace-smoothed with {@code alpha} over the buckets that occur. */
    public float[] logRatios(double alpha) {
        double totalV = 0;
        double totalA = 0;
        int seen = 0;
        for (int r = 1; r < violating.length; r++) {
            double v = Math.max(0, violating[r]);
            double a = Math.max(0, acceptable[r]);
            totalV += v;
            totalA += a;
            seen += v + a > 1e-12 ? 1 : 0;
        }
        double denominatorV = totalV + alpha * Math.max(1, seen);
        double denominatorA = totalA + alpha * Math.max(1, seen);
        float[] ratios = new float[violating.length];
        for (int r = 1; r < violating.length; r++) {
            ratios[r] = (float) (Math.log((Math.max(0, violating[r]) + alpha) / denominatorV)
                    - Math.log((Math.max(0, acceptable[r]) + alpha) / denominatorA));
        }
        return ratios;
    }

    /** The mean log-likelihood ratio of a document's ids (0 for none). */
    public static double meanScore(float[] ratios, int[] ids) {
        return ids.length == 0 ? 0 : sumScore(ratios, ids) / ids.length;
    }

    /** The summed log-likelihood ratio of a document's ids. */
    public static double sumScore(float[] ratios, int[] ids) {
        double s = 0;
        for (int id : ids) {
            s += ratios[id];
        }
        return s;
    }
}
