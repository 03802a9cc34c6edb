package io.recurate.curation.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.model.data.Label;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 33: "Violating" was a label in 'model score' and none in the loop's table and the report. */
class GoldLabelsTest {
    @Test
    void goldLabelsReadLabelsByTheOneRuleOfConstitutionsAndLabelledData() {
        GoldLabels gold = GoldLabels.DEFAULT;
        for (String v : new String[] {"violating", "Violating", " VIOLATING "}) {
            assertThat(gold.violating(Map.of("label", v))).as(v).isTrue();
            assertThat(Label.isViolating(v)).as(v).isTrue();
        }
        for (String a : new String[] {"acceptable", "Acceptable\t"}) {
            assertThat(gold.violating(Map.of("label", a))).as(a).isFalse();
            assertThat(Label.isViolating(a)).as(a).isFalse();
        }
        assertThat(gold.violating(Map.of("label", "spam"))).isNull();
        assertThat(gold.violating(Map.of())).isNull();
        assertThat(new GoldLabels("gold").violating(Map.of("label", "violating", "gold", "acceptable"))).isFalse();
    }
}
