package io.recurate.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void aucCountsTiesAsHalf() {
        boolean[] labels = {false, true, false, true};
        assertThat(Metrics.rocAuc(new float[] {0.1f, 0.9f, 0.2f, 0.8f}, labels)).isEqualTo(1.0);
        assertThat(Metrics.rocAuc(new float[] {0.9f, 0.1f, 0.8f, 0.2f}, labels)).isEqualTo(0.0);
        assertThat(Metrics.rocAuc(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, labels)).isEqualTo(0.5);
        // positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4, 0.8>0.1, 0.4=0.4, 0.4>0.1) = 3.5 / 4
        assertThat(Metrics.rocAuc(new float[] {0.8f, 0.4f, 0.4f, 0.1f}, new boolean[] {true, true, false, false}))
                .isCloseTo(0.875, within(1e-12));
    }

    @Test
    void aucOfASingleClassIsUndefined() {
        assertThat(Metrics.rocAuc(new float[] {0.1f, 0.2f}, new boolean[] {true, true})).isNaN();
    }

    @Test
    void confusionAtThresholdGivesRecallAndFalsePositiveRate() {
        var c = Metrics.confusion(new float[] {0.9f, 0.6f, 0.4f, 0.7f, 0.1f}, new boolean[] {true, true, true, false, false}, 0.5f);
        assertThat(c.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(c.falsePositiveRate()).isCloseTo(0.5, within(1e-12));
        assertThat(c.precision()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(c.accuracy()).isCloseTo(0.6, within(1e-12));
    }
}
