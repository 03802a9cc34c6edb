package io.recurate.model.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
