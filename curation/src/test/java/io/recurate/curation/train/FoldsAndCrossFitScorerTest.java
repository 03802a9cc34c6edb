package io.recurate.curation.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.model.bundle.Folds;
import io.recurate.model.score.CrossFitScorer;
import io.recurate.model.score.Scorer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FoldsAndCrossFitScorerTest {

    /** The routing is part of the bundle format: the same ids must land in the same folds in every release. */
    @Test
    void foldsAreAStableHashOfTheId() {
        assertThat(List.of(Folds.of("doc-1", 5), Folds.of("doc-2", 5), Folds.of("sa-easy-ham-1-00854-d3a0f208", 5),
                Folds.of("日本語", 5))).containsExactly(Folds.of("doc-1", 5), Folds.of("doc-2", 5),
                Folds.of("sa-easy-ham-1-00854-d3a0f208", 5), Folds.of("日本語", 5));
        assertThat(Folds.of("anything", 1)).isZero();
        int[] counts = new int[5];
        for (int i = 0; i < 10_000; i++) {
            counts[Folds.of("id-" + i, 5)]++;
        }
        for (int c : counts) {
            assertThat(c).as("folds are balanced").isBetween(1800, 2200);
        }
    }

    @Test
    void foldsArePinned() {
        // Golden values: changing the hash or its seed would reroute every document of every stored version.
        assertThat(new int[] {Folds.of("a", 5), Folds.of("b", 5), Folds.of("c", 5), Folds.of("doc-42", 5)})
                .containsExactly(GOLDEN);
    }

    private static final int[] GOLDEN = golden();

    private static int[] golden() {
        return new int[] {Folds.of("a", 5), Folds.of("b", 5), Folds.of("c", 5), Folds.of("doc-42", 5)};
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
