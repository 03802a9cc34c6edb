package io.recurate.curation.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.curation.SyntheticCorpus;
import io.recurate.curation.policy.CurationPolicies;
import io.recurate.curation.policy.CurationPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryLoopTest {
    private static final List<LabelledDocument> CORPUS = SyntheticCorpus.documents(1500, 0.15, 4);

    private static List<PassResult> run(CurationPolicy policy, int passes) {
        return new InMemoryLoop(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS, SyntheticCorpus.CONSTITUTION_SETTINGS)
                .run(CORPUS, SyntheticCorpus.constitution(10, 9), policy, passes);
    }

    @Test
    void nestedPassesPartitionTheirSourceAndOnlyShrinkIt() {
        List<PassResult> passes = run(CurationPolicies.budget(0.05), 3);
        assertThat(passes.get(0).input()).isEqualTo(CORPUS.size());
        for (int i = 0; i < passes.size(); i++) {
            PassResult p = passes.get(i);
            assertThat(p.kept() + p.removed()).isEqualTo(p.input());
            assertThat(p.restored()).isZero();
            if (i > 0) {
                assertThat(p.input()).isEqualTo(passes.get(i - 1).kept());
            }
            assertThat(p.removedShare()).as("the budget").isLessThanOrEqualTo(0.05);
        }
    }

    @Test
    void fullModeRescoresTheWholeCorpusEveryPass() {
        List<PassResult> passes = run(CurationPolicies.named("ramp"), 3);
        assertThat(passes).allSatisfy(p -> {
            assertThat(p.input()).isEqualTo(CORPUS.size());
            assertThat(p.kept() + p.removed()).isEqualTo(CORPUS.size());
        });
    }

    @Test
    void theHashedModelsDefaultPolicyLowersTheViolatingSharePassOverPassAndKeepsTheBenignDocuments() {
        List<PassResult> passes = run(CurationPolicies.named(CurationPolicies.DEFAULT_HASHED), 4);
        for (int i = 1; i < passes.size(); i++) {
            assertThat(passes.get(i).violatingShare()).as("pass %d", i + 1)
                    .isLessThanOrEqualTo(passes.get(i - 1).violatingShare() + 0.005);
        }
        assertThat(passes.get(3).violatingShare()).isLessThan(passes.get(0).violatingShare() * 0.8);
        assertThat(passes.get(3).benignRetention()).isGreaterThanOrEqualTo(0.9);
        List<PassResult> naive = run(CurationPolicies.named("naive"), 4);
        assertThat(passes.get(3).violatingShare()).as("against the naive loop").isLessThan(naive.get(3).violatingShare());
    }
}
