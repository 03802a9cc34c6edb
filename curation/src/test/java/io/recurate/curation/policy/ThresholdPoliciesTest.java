package io.recurate.curation.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThresholdPoliciesTest {
    private static float[] uniform(int n, long seed) {
        Random random = new Random(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = random.nextFloat();
        }
        return s;
    }

    private static double removedShare(float[] scores, float tau) {
        int removed = 0;
        for (float s : scores) {
            removed += s >= tau ? 1 : 0;
        }
        return (double) removed / scores.length;
    }

    private static PassView view(int pass, Map<String, Double> calibration, float[] scores) {
        return new PassView(pass, calibration, () -> scores, 0);
    }

    @Test
    void fixedThresholdIsTheSameEveryPassAndMustBeAProbability() {
        assertThat(new FixedThreshold(0.7f).threshold(view(3, Map.of(TrainedVersion.THRESHOLD, 0.1), new float[0])))
                .isEqualTo(0.7f);
        assertThatThrownBy(() -> new FixedThreshold(1.5f)).hasMessageContaining("(0, 1]");
    }

    @Test
    void aBudgetRemovesItsShareOfTheSourceAndNeverMore() {
        float[] scores = uniform(10_000, 1);
        float tau = new RemovalBudget(0.04).threshold(view(1, Map.of(), scores));
        assertThat(removedShare(scores, tau)).isCloseTo(0.04, within(1e-4)).isLessThanOrEqualTo(0.04);
        // Ties at the cut: all equal scores cannot be split, so none is removed rather than all.
        float[] ties = new float[100];
        java.util.Arrays.fill(ties, 0.9f);
        assertThat(removedShare(ties, RemovalBudget.quantileThreshold(ties, 0.1))).isZero();
        assertThat(removedShare(scores, RemovalBudget.quantileThreshold(new float[0], 0.1))).isZero();
    }

    @Test
    void aCalibratedThresholdReadsTheVersionAndFallsBackWithoutOne() {
        CalibratedThreshold policy = new CalibratedThreshold(0.5f);
        assertThat(policy.threshold(view(2, Map.of(TrainedVersion.THRESHOLD, 0.31), new float[0])))
                .isCloseTo(0.31f, within(1e-6f));
        assertThat(policy.threshold(view(1, Map.of(), new float[0]))).isEqualTo(0.5f);
    }

    @Test
    void theAdjustedCountCorrectsTheRawShareWithTheExemplarRates() {
        Map<String, Double> rates = Map.of(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF, 0.8,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF, 0.05);
        // A corpus with 10% violators: 0.8 * 0.1 + 0.05 * 0.9 = 12.5% score above 1/2.
        assertThat(PriorRamp.adjustedCount(0.125, rates)).isCloseTo(0.10, within(1e-9));
        assertThat(PriorRamp.adjustedCount(0.01, rates)).as("never below 0").isZero();
        Map<String, Double> useless = Map.of(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF, 0.5,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF, 0.4);
        assertThat(PriorRamp.adjustedCount(0.125, useless)).as("exemplars that do not separate leave the raw count")
                .isEqualTo(0.125);
        assertThat(PriorRamp.adjustedCount(0.125, Map.of())).isEqualTo(0.125);
    }

    @Test
    void theProbabilisticAdjustedCountCorrectsTheMeanScoreWithTheExemplarMeans() {
        float[] scores = uniform(20_000, 5);
        for (int i = 0; i < scores.length; i++) {
            scores[i] *= 0.52f; // mean 0.26
        }
        Map<String, Double> means = Map.of(TrainedVersion.EXEMPLAR_VIOLATING_MEAN, 0.9,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_MEAN, 0.1);
        assertThat(PriorRamp.estimatedPrior(scores, means)).isCloseTo(0.2, within(0.005));
        Map<String, Double> rates = Map.of(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF, 0.8,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF, 0.0);
        assertThat(PriorRamp.estimatedPrior(scores, rates)).as("no means: the adjusted count at 1/2")
                .isCloseTo(0.02 / 0.52 / 0.8, within(0.005));
        assertThat(PriorRamp.estimatedPrior(scores, Map.of())).as("no exemplars: the raw share")
                .isCloseTo(0.02 / 0.52, within(0.005));
    }

    @Test
    void theRampGrowsToAFractionOfTheEstimateAndStaysThere() {
        float[] scores = uniform(20_000, 2);
        for (int i = 0; i < scores.length; i++) {
            scores[i] *= 0.52f;
        }
        Map<String, Double> means = Map.of(TrainedVersion.EXEMPLAR_VIOLATING_MEAN, 0.9,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_MEAN, 0.1); // estimate 0.2
        PriorRamp ramp = new PriorRamp(4, 1.0, 0.5);
        assertThat(removedShare(scores, ramp.threshold(view(1, means, scores)))).isCloseTo(0.05, within(0.005));
        assertThat(removedShare(scores, ramp.threshold(view(2, means, scores)))).isCloseTo(0.10, within(0.005));
        assertThat(removedShare(scores, ramp.threshold(view(4, means, scores)))).isCloseTo(0.20, within(0.005));
        assertThat(removedShare(scores, ramp.threshold(view(6, means, scores)))).isCloseTo(0.20, within(0.005));
        assertThat(removedShare(scores, new PriorRamp(2, 0.85, 0.5).threshold(view(3, means, scores))))
                .as("a fraction of the estimate").isCloseTo(0.17, within(0.005));
        assertThat(removedShare(scores, new PriorRamp(1, 1.0, 0.1).threshold(view(1, means, scores))))
                .as("capped").isCloseTo(0.1, within(0.005));
        float[] clean = new float[1000]; // every score at the acceptable exemplars' mean: nothing to remove
        java.util.Arrays.fill(clean, 0.1f);
        assertThat(removedShare(clean, ramp.threshold(view(4, means, clean)))).isZero();
    }

    /**
     * A corpus of {@code n} documents, {@code prior} of them violating, scored from two known distributions (violating
     * uniform in [0.5, 1], acceptable in [0, 0.6]); exemplars' held-out scores drawn from the same, 20 of each.
     */
    private record Mixture(float[] scores, Map<String, Double> calibration) {
    }

    private static Mixture mixture(int n, double prior, long seed) {
        return mixture(n, prior, seed, 20);
    }

    private static Mixture mixture(int n, double prior, long seed, int exemplars) {
        java.util.Random random = new java.util.Random(seed);
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            scores[i] = random.nextDouble() < prior ? 0.5f + 0.5f * random.nextFloat() : 0.6f * random.nextFloat();
        }
        Map<String, Double> calibration = new java.util.HashMap<>();
        for (int i = 0; i < exemplars; i++) {
            calibration.put(String.format("exemplars.violating.score.%03d", i), 0.5 + 0.5 * random.nextDouble());
            calibration.put(String.format("exemplars.acceptable.score.%03d", i), 0.6 * random.nextDouble());
        }
        return new Mixture(scores, calibration);
    }

    @Test
    void thePriorEstimateFindsTheMixturesShareWithAnIntervalAroundIt() {
        for (double prior : new double[] {0.05, 0.10, 0.20}) {
            // Many exemplars: the estimator itself is right.
            Mixture many = mixture(20_000, prior, 3, 800);
            assertThat(PriorEstimate.of(many.scores(), null, many.calibration()).orElseThrow().value())
                    .as("prior %.2f from 800 exemplars of each label", prior).isCloseTo(prior, within(0.015));
            // Twenty: the estimate is noisy (the acceptable exemplars' mean moves it most), and its interval says so.
            Mixture m = mixture(20_000, prior, 3);
            PriorEstimate estimate = PriorEstimate.of(m.scores(), null, m.calibration()).orElseThrow();
            assertThat(estimate.low()).as("prior %.2f from 20 exemplars: %s", prior, estimate).isLessThanOrEqualTo(prior)
                    .isLessThanOrEqualTo(estimate.value());
            assertThat(estimate.high()).as("prior %.2f from 20 exemplars: %s", prior, estimate).isGreaterThanOrEqualTo(prior)
                    .isGreaterThanOrEqualTo(estimate.value());
        }
        assertThat(PriorEstimate.of(new float[] {0.3f}, null, Map.of())).as("no held-out exemplar scores").isEmpty();
    }

    @Test
    void thePriorCutRemovesTheEstimatesLowEndPlusItsAllowanceAndNeverBelowTheBenignGuard() {
        Mixture m = mixture(20_000, 0.10, 4);
        PriorEstimate estimate = PriorEstimate.of(m.scores(), null, m.calibration()).orElseThrow();
        float tau = new PriorCut(0.05, 0.5).threshold(view(1, m.calibration(), m.scores()));
        double expected = estimate.low() + 0.05 * (1 - estimate.low());
        double guarded = removedShare(m.scores(), PriorCut.benignGuard(TrainedVersion.heldOutScores(m.calibration(), false)));
        assertThat(removedShare(m.scores(), tau)).isCloseTo(Math.min(expected, guarded), within(0.002));
        // Acceptable exemplars that score high: the guard keeps the cut above all but 10% of them.
        Map<String, Double> high = new java.util.HashMap<>(m.calibration());
        for (int i = 0; i < 20; i++) {
            high.put(String.format("exemplars.acceptable.score.%03d", i), 0.9 + 0.005 * i);
        }
        float guardedTau = new PriorCut(0.05, 0.5).threshold(view(1, high, m.scores()));
        double[] acceptable = TrainedVersion.heldOutScores(high, false);
        long above = java.util.Arrays.stream(acceptable).filter(a -> a >= guardedTau).count();
        assertThat(above).as("acceptable exemplars the cut would remove").isLessThanOrEqualTo(2);
        assertThat(guardedTau).isGreaterThan(tau);
    }
}
