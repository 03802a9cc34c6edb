package io.recurate.model.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureBatchTest {

    @Test
    void padsWithZerosAndStoresInverseLengths() {
        FeatureBatch batch = FeatureBatch.of(List.of(new int[] {5, 6, 7}, new int[] {}, new int[] {9}));
        assertThat(batch.width()).isEqualTo(3);
        assertThat(batch.ids()).containsExactly(5, 6, 7, 0, 0, 0, 9, 0, 0);
        assertThat(batch.inverseLengths()).containsExactly(1f / 3, 0f, 1f);
    }

    @Test
    void lengthOrderGroupsSimilarLengths() {
        List<int[]> docs = List.of(new int[5], new int[1], new int[9], new int[2]);
        assertThat(FeatureBatch.lengthOrder(docs)).containsExactly(1, 3, 0, 2);
    }

    @Test
    void oneLongDocumentAmongShortOnesGetsABatchOfItsOwn() {
        int[] lengths = new int[256];
        Arrays.fill(lengths, 400);
        lengths[255] = 8000; // ascending: the long one last
        assertThat(FeatureBatch.cuts(lengths, 256)).containsExactly(255, 256);
    }

    @Test
    void similarLengthsFillBatchesUpToTheRowLimit() {
        int[] lengths = new int[100];
        Arrays.fill(lengths, 500);
        assertThat(FeatureBatch.cuts(lengths, 37)).containsExactly(37, 74, 100);
        assertThat(FeatureBatch.cuts(new int[0], 37)).isEmpty();
        assertThat(FeatureBatch.cuts(new int[] {0, 0, 0}, 37)).containsExactly(3);
    }

    @Test
    void everyBatchIsSmallOrAtMostAFifthPadding() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            int[] lengths = new int[1 + random.nextInt(600)];
            for (int i = 0; i < lengths.length; i++) {
                lengths[i] = random.nextInt(10) == 0 ? random.nextInt(8192) : random.nextInt(900);
            }
            Arrays.sort(lengths);
            int maxRows = 1 + random.nextInt(300);
            int start = 0;
            int[] cuts = FeatureBatch.cuts(lengths, maxRows);
            assertThat(cuts[cuts.length - 1]).isEqualTo(lengths.length);
            for (int end : cuts) {
                assertThat(end - start).isBetween(1, maxRows);
                long cells = (long) (end - start) * Math.max(1, lengths[end - 1]);
                long ids = Arrays.stream(lengths, start, end).asLongStream().sum();
                if (cells > FeatureBatch.SMALL_BATCH_CELLS) {
                    assertThat(cells - ids).as("padding of batch %d..%d", start, end).isLessThanOrEqualTo(cells / 5);
                }
                start = end;
            }
        }
    }
}
