package io.recurate.model.featurize;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Documents' ids as a padded matrix [size x width] (row-major, 0 = padding) plus 1/length per row,
 * the two inputs of the model graph. An empty row has inverse length 0, so it scores the bias alone.
 */
public record FeatureBatch(int size, int width, int[] ids, float[] inverseLengths) {

    public static FeatureBatch of(List<int[]> documents) {
        int width = Math.max(1, documents.stream().mapToInt(d -> d.length).max().orElse(1));
        int[] ids = new int[documents.size() * width];
        float[] inv = new float[documents.size()];
        for (int row = 0; row < documents.size(); row++) {
            int[] doc = documents.get(row);
            System.arraycopy(doc, 0, ids, row * width, doc.length);
            inv[row] = doc.length == 0 ? 0f : 1f / doc.length;
        }
        return new FeatureBatch(documents.size(), width, ids, inv);
    }

    /**
     * The order in which to batch documents so that each batch holds similar lengths and little
     * padding: indices sorted by id count.
     */
    public static int[] lengthOrder(List<int[]> documents) {
        return IntStream.range(0, documents.size()).boxed()
                .sorted(Comparator.comparingInt(i -> documents.get(i).length))
                .mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "FeatureBatch[" + size + " x " + width + ", ids " + Arrays.toString(Arrays.copyOf(ids, Math.min(8, ids.length))) + "...]";
    }
}
