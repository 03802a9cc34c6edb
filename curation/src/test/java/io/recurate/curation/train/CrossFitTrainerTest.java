package io.recurate.curation.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.curation.SyntheticCorpus;
import io.recurate.model.bundle.Folds;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainingListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrossFitTrainerTest {

    @Test
    void aDocumentIsScoredByTheFoldModelThatNeverSawItsLabel() {
        // Each document carries a unique token and a random label: a model that trained on it has memorized
        // it; the one of its fold has never seen the token and can only guess.
        List<CrossFitExample> examples = new ArrayList<>();
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < 400; i++) {
            boolean violating = random.nextBoolean();
            examples.add(new CrossFitExample("doc-" + i, Example.of("unique" + i + " unique" + i + " shared", violating)));
        }
        CrossFitModels heldOut = new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS.withEpochs(20)
                .withValidationFraction(0), 5).train(examples, TrainingListener.NONE, CrossFitTrainer.FoldSink.NONE);
        CrossFitModels inSample = new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS.withEpochs(20)
                .withValidationFraction(0), 1).train(examples, TrainingListener.NONE, CrossFitTrainer.FoldSink.NONE);
        int inSampleRight = 0;
        int heldOutRight = 0;
        for (CrossFitExample e : examples) {
            boolean label = e.example().violating();
            inSampleRight += (inSample.score(e.id(), e.example().text()) >= 0.5f) == label ? 1 : 0;
            heldOutRight += (heldOut.score(e.id(), e.example().text()) >= 0.5f) == label ? 1 : 0;
        }
        assertThat(inSampleRight).as("one model reproduces the labels it trained on").isGreaterThan(380);
        assertThat(heldOutRight).as("out of fold, random labels are a coin toss").isBetween(140, 260);
    }

    @Test
    void foldSinkSeesEveryFoldOnceAndEachLeavesItsOwnDocumentsOut() {
        List<CrossFitExample> examples = new ArrayList<>();
        SyntheticCorpus.documents(300, 0.3, 1).forEach(d -> examples.add(new CrossFitExample(d.id(),
                Example.of(d.text(), d.violating()))));
        examples.add(CrossFitExample.everyFold(Example.of("viagra lottery", true)));
        Set<Integer> seen = new HashSet<>();
        long[] trained = new long[5];
        new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS.withValidationFraction(0), 5)
                .train(examples, TrainingListener.NONE, (fold, k, result) -> {
                    assertThat(k).isEqualTo(5);
                    seen.add(fold);
                    trained[fold] = result.report().trainExamples();
                });
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        for (int fold = 0; fold < 5; fold++) {
            int f = fold;
            long expected = examples.stream().filter(e -> e.id() == null || Folds.of(e.id(), 5) != f).count();
            assertThat(trained[fold]).as("fold %d trains on all but its own documents", fold).isEqualTo(expected);
        }
    }

    @Test
    void aFoldWithOneClassOnlyIsRefusedWithItsNumber() {
        List<CrossFitExample> examples = List.of(new CrossFitExample("a", Example.of("x", true)),
                new CrossFitExample("b", Example.of("y", true)));
        assertThatThrownBy(() -> new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS, 2)
                .train(examples, TrainingListener.NONE, CrossFitTrainer.FoldSink.NONE))
                .hasMessageContaining("of 2").hasMessageContaining("only violating");
    }
}
