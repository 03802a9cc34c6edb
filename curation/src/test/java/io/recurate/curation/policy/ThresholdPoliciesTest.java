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

    private static PassView view(int pass, Map<String, Double> calibration, float[] scores, double corpusPrior) {
        return new PassView(pass, calibration, () -> scores, 0, corpusPrior);
    }

    @Test
    void fixedThresholdIsTheSameEveryPassAndMustBeAProbability() {
        assertThat(new FixedThreshold(0.7f).threshold(view(3, Map.of(TrainedVersion.THRESHOLD, 0.1), new float[0], 0.2)))
                .isEqualTo(0.7f);
        assertThatThrownBy(() -> new FixedThreshold(1.5f)).hasMessageContaining("(0, 1]");
    }

    @Test
    void aBudgetRemovesItsShareOfTheSourceAndNeverMore() {
        float[] scores = uniform(10_000, 1);
        float tau = new RemovalBudget(0.04).threshold(view(1, Map.of(), scores, Double.NaN));
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
        assertThat(policy.threshold(view(2, Map.of(TrainedVersion.THRESHOLD, 0.31), new float[0], Double.NaN)))
                .isCloseTo(0.31f, within(1e-6f));
        assertThat(policy.threshold(view(1, Map.of(), new float[0], Double.NaN))).isEqualTo(0.5f);
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
    void theRampGrowsToThePriorEstimatedInPassOneAndStaysThere() {
        float[] scores = uniform(20_000, 2);
        PriorRamp ramp = new PriorRamp(4, 1.0, 0.5, false);
        double prior = 0.2;
        double[] shares = new double[6];
        for (int pass = 1; pass <= 5; pass++) {
            shares[pass] = removedShare(scores, ramp.threshold(view(pass, Map.of(), scores, prior)));
        }
        assertThat(shares[1]).isCloseTo(0.05, within(1e-3));
        assertThat(shares[2]).isCloseTo(0.10, within(1e-3));
        assertThat(shares[4]).isCloseTo(0.20, within(1e-3));
        assertThat(shares[5]).isCloseTo(0.20, within(1e-3));
        assertThat(removedShare(scores, ramp.threshold(view(4, Map.of(), scores, 0.9)))).as("capped").isCloseTo(0.5, within(1e-3));
        assertThat(removedShare(scores, ramp.threshold(view(2, Map.of(), scores, 0.0)))).isZero();
        assertThat(removedShare(scores, new PriorRamp(2, 0.85, 0.5, false).threshold(view(3, Map.of(), scores, prior))))
                .as("a fraction of the estimate").isCloseTo(0.17, within(1e-3));
    }

    @Test
    void theGuardKeepsNinetyPercentOfTheHeldOutAcceptableExemplars() {
        float[] scores = uniform(10_000, 4);
        Map<String, Double> calibration = Map.of(TrainedVersion.EXEMPLAR_ACCEPTABLE_Q90, 0.8);
        // An estimate of 40% violating would cut at 0.6, into what held-out acceptable exemplars score.
        float guarded = new PriorRamp(1, 1.0, 0.5, true).threshold(view(1, calibration, scores, 0.4));
        assertThat(guarded).isGreaterThan(0.8f);
        assertThat(new PriorRamp(1, 1.0, 0.5, false).threshold(view(1, calibration, scores, 0.4)))
                .isCloseTo(0.6f, within(0.01f));
        assertThat(new PriorRamp(1, 1.0, 0.5, true).threshold(view(1, calibration, scores, 0.1)))
                .as("a cut above the guard is left alone").isCloseTo(0.9f, within(0.01f));
    }

    @Test
    void withoutAPassOneEstimateTheRampEstimatesFromTheSourceScores() {
        float[] scores = uniform(10_000, 3); // half of them at or above 1/2
        double share = removedShare(scores, new PriorRamp(1, 1.0, 0.9, false).threshold(view(1, Map.of(), scores, Double.NaN)));
        assertThat(share).isCloseTo(0.5, within(0.02));
    }
}
