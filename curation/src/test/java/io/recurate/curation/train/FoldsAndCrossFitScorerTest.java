package io.recurate.curation.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.model.bundle.Folds;
import io.recurate.model.score.CrossFitScorer;
import io.recurate.model.score.Scorer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldsAndCrossFitScorerTest {

    /**
     * The routing is part of the bundle format: the same ids must land in the same folds in every release
     * (a stored cross-fitted version would otherwise score documents with models that trained on them).
     */
    @Test
    void foldsArePinned() {
        assertThat(new int[] {Folds.of("a", 5), Folds.of("b", 5), Folds.of("c", 5), Folds.of("doc-42", 5),
                Folds.of("sa-easy-ham-1-00854-d3a0f208", 5), Folds.of("日本語", 5)}).containsExactly(4, 0, 2, 4, 4, 1);
        assertThat(Folds.of("anything", 1)).isZero();
    }

    @Test
    void foldsAreBalanced() {
        int[] counts = new int[5];
        for (int i = 0; i < 10_000; i++) {
            counts[Folds.of("id-" + i, 5)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(1800, 2200);
        }
    }

    /** A scorer that answers its own fold number, to see where each document went. */
    private record FoldEcho(int fold, List<Integer> batchSizes) implements Scorer {
        @Override
        public float[] score(List<String> texts) {
            batchSizes.add(texts.size());
            float[] out = new float[texts.size()];
            java.util.Arrays.fill(out, fold);
            return out;
        }

        @Override
        public String device() {
            return "test";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void eachDocumentIsScoredByTheModelOfItsFoldInOneBatchPerFold() {
        List<FoldEcho> folds = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            folds.add(new FoldEcho(f, new ArrayList<>()));
        }
        CrossFitScorer scorer = new CrossFitScorer(folds);
        List<String> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add("doc-" + i);
            texts.add("text " + i);
        }
        float[] scores = scorer.score(ids, texts);
        for (int i = 0; i < 100; i++) {
            assertThat((int) scores[i]).isEqualTo(Folds.of(ids.get(i), 3));
        }
        assertThat(folds).allSatisfy(f -> assertThat(f.batchSizes()).hasSize(1));
    }
}
