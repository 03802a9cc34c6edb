package io.recurate.curation.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.curation.SyntheticCorpus;
import java.util.List;
import org.junit.jupiter.api.Test;

class SupervisedCeilingTest {

    @Test
    void keepingFewerBenignDocumentsNeverKeepsMoreViolators() {
        List<LabelledDocument> corpus = SyntheticCorpus.documents(1200, 0.2, 5);
        SupervisedCeiling ceiling = SupervisedCeiling.train(corpus, SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS, 5);
        double previous = 1;
        for (double retention = 1.0; retention >= 0.8; retention -= 0.02) {
            double share = ceiling.violatingShareAt(retention);
            assertThat(share).isLessThanOrEqualTo(previous + 1e-12);
            previous = share;
        }
        assertThat(ceiling.violatingShareAt(1.0)).as("keeping every benign document").isGreaterThan(0);
        assertThat(ceiling.violatingShareAt(0.85)).as("gold labels separate the synthetic classes").isLessThan(0.05);
    }
}
