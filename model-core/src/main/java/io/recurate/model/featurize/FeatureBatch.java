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

    /** Cells a batch may always have, padded or not: cutting it smaller would cost more runs than padding costs. */
    static final long SMALL_BATCH_CELLS = 16_384;

    /**
     * Where to cut documents, taken in {@link #lengthOrder}, into batches of at most {@code maxRows}: a batch is padded
     * to its longest document, so it ends before a document that would make more than a fifth of its cells padding
     * (unless it is small). One long mail among short ones would otherwise widen every row of the batch to its
     * length: in a batch of 256 mails with one of 8,000 ids, 2 million cells, nearly all of them padding.
     *
     * @param lengths the documents' id counts, ascending
     * @return the end (exclusive) of each batch, the last one {@code lengths.length}
     */
    public static int[] cuts(int[] lengths, int maxRows) {
        int[] ends = new int[lengths.length];
        int batches = 0;
        int start = 0;
        long ids = 0;
        for (int i = 0; i < lengths.length; i++) {
            int rows = i - start + 1;
            long cells = (long) rows * Math.max(1, lengths[i]);
            boolean fits = rows <= maxRows && (cells <= SMALL_BATCH_CELLS || 5 * (cells - ids - lengths[i]) <= cells);
            if (!fits) {
                ends[batches++] = i;
                start = i;
                ids = 0;
            }
            ids += lengths[i];
        }
        if (lengths.length > 0) {
            ends[batches++] = lengths.length;
        }
        return Arrays.copyOf(ends, batches);
    }

    @Override
    public String toString() {
        return "FeatureBatch[" + size + " x " + width + ", ids " + Arrays.toString(Arrays.copyOf(ids, Math.min(8, ids.length))) + "...]";
    }
}
