package io.recurate.curation.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The violating share of a pass's documents, estimated from a version's cross-fitted scores and its constitution's
 * held-out exemplar scores, with an interval. Two quantifiers from the literature, averaged, because each fails alone
 * on some constitutions (measured, issue 31: either fell to 0 on a corpus 10% violating):
 * <ul>
 *   <li>the probabilistic adjusted count (Bella, Ferri, Hernández-Orallo and Ramírez-Quintana, 2010): the documents'
 *       mean score m corrected by the exemplars' mean held-out scores t̄ and f̄, (m − f̄) / (t̄ − f̄);</li>
 *   <li>median sweep (Forman, 2008): at every threshold τ of a grid where the exemplars' true- and false-positive
 *       rates differ by at least 1/4, the adjusted count (share ≥ τ − fpr) / (tpr − fpr); the median of them.</li>
 * </ul>
 * The interval is a bootstrap over the exemplars (their held-out scores resampled with replacement, 1,000 times, a
 * fixed seed): with a few dozen exemplars they, not the thousands of documents, are the uncertain part.
 *
 * @param value the estimate, in [0, 1]
 * @param low   the interval's lower end (5% quantile)
 * @param high  the interval's upper end (95% quantile)
 */
public record PriorEstimate(double value, double low, double high) {
    /** Below this separation of the exemplars a correction divides by noise. */
    static final double MIN_SEPARATION = 0.2;
    /** Median sweep uses thresholds where tpr − fpr is at least this (Forman's choice). */
    static final double MIN_SWEEP_SEPARATION = 0.25;
    private static final int RESAMPLES = 1_000;
    private static final double[] GRID = grid();

    /**
     * The estimate for documents with {@code scores} (each standing for {@code weights[i]} documents; null for 1),
     * or empty when the version has no held-out exemplar scores (one model, or trained elsewhere).
     */
    public static Optional<PriorEstimate> of(float[] scores, double[] weights, Map<String, Double> calibration) {
        double[] violating = TrainedVersion.heldOutScores(calibration, true);
        double[] acceptable = TrainedVersion.heldOutScores(calibration, false);
        if (violating.length < 2 || acceptable.length < 2 || scores.length == 0) {
            return Optional.empty();
        }
        double[] shareAtOrAbove = sharesAtOrAbove(scores, weights);
        double mean = weightedMean(scores, weights);
        OptionalDoubleValue value = estimate(mean, shareAtOrAbove, violating, acceptable);
        if (value.missing) {
            return Optional.empty();
        }
        Random random = new Random(20261206L);
        List<Double> draws = new ArrayList<>(RESAMPLES);
        for (int r = 0; r < RESAMPLES; r++) {
            OptionalDoubleValue d = estimate(mean, shareAtOrAbove, resample(violating, random), resample(acceptable, random));
            if (!d.missing) {
                draws.add(d.value);
            }
        }
        if (draws.isEmpty()) {
            return Optional.of(new PriorEstimate(value.value, value.value, value.value));
        }
        draws.sort(null);
        return Optional.of(new PriorEstimate(value.value, draws.get((int) (0.05 * (draws.size() - 1))),
                draws.get((int) Math.ceil(0.95 * (draws.size() - 1)))));
    }

    /** A value, or none (the exemplars do not separate). */
    private record OptionalDoubleValue(double value, boolean missing) {
    }

    private static OptionalDoubleValue estimate(double mean, double[] shareAtOrAbove, double[] violating,
                                                double[] acceptable) {
        double t = Arrays.stream(violating).average().orElse(0);
        double f = Arrays.stream(acceptable).average().orElse(0);
        Double pac = t - f >= MIN_SEPARATION ? clamp((mean - f) / (t - f)) : null;
        Double sweep = medianSweep(shareAtOrAbove, violating, acceptable);
        if (pac == null && sweep == null) {
            return new OptionalDoubleValue(0, true);
        }
        double value = pac == null ? sweep : sweep == null ? pac : (pac + sweep) / 2;
        return new OptionalDoubleValue(value, false);
    }

    private static Double medianSweep(double[] shareAtOrAbove, double[] violating, double[] acceptable) {
        List<Double> estimates = new ArrayList<>();
        for (int g = 0; g < GRID.length; g++) {
            double tpr = rateAtOrAbove(violating, GRID[g]);
            double fpr = rateAtOrAbove(acceptable, GRID[g]);
            if (tpr - fpr >= MIN_SWEEP_SEPARATION) {
                estimates.add(clamp((shareAtOrAbove[g] - fpr) / (tpr - fpr)));
            }
        }
        if (estimates.isEmpty()) {
            return null;
        }
        estimates.sort(null);
        int n = estimates.size();
        return n % 2 == 1 ? estimates.get(n / 2) : (estimates.get(n / 2 - 1) + estimates.get(n / 2)) / 2;
    }

    /** Thresholds 0.01, 0.02, ... 0.99. */
    private static double[] grid() {
        double[] g = new double[99];
        for (int i = 0; i < g.length; i++) {
            g[i] = (i + 1) / 100.0;
        }
        return g;
    }

    private static double[] sharesAtOrAbove(float[] scores, double[] weights) {
        double[] out = new double[GRID.length];
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            double w = weights == null ? 1 : weights[i];
            total += w;
            for (int g = 0; g < GRID.length && scores[i] >= GRID[g]; g++) {
                out[g] += w;
            }
        }
        for (int g = 0; g < out.length; g++) {
            out[g] /= total;
        }
        return out;
    }

    private static double rateAtOrAbove(double[] scores, double tau) {
        int n = 0;
        for (double s : scores) {
            n += s >= tau ? 1 : 0;
        }
        return (double) n / scores.length;
    }

    private static double weightedMean(float[] scores, double[] weights) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < scores.length; i++) {
            double w = weights == null ? 1 : weights[i];
            sum += w * scores[i];
            total += w;
        }
        return total == 0 ? 0 : sum / total;
    }

    private static double[] resample(double[] values, Random random) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[random.nextInt(values.length)];
        }
        return out;
    }

    private static double clamp(double p) {
        return Math.max(0, Math.min(1, p));
    }
}
