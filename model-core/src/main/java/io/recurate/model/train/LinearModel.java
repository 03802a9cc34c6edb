package io.recurate.model.train;

import io.recurate.model.featurize.FeaturizerSpec;

/**
 * The fastText-style classifier: an embedding bag (rows 1..buckets, row 0 = padding, kept zero),
 * averaged, then a linear layer and a sigmoid. {@link #score(int[])} is the Java reference that the
 * ONNX export must reproduce.
 */
public final class LinearModel {
    final FeaturizerSpec spec;
    final int dim;
    /** (buckets + 1) x dim, row-major. */
    final float[] embeddings;
    final float[] weights;
    float bias;

    LinearModel(FeaturizerSpec spec, int dim, float[] embeddings, float[] weights, float bias) {
        this.spec = spec;
        this.dim = dim;
        this.embeddings = embeddings;
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * A model whose rows are single values (dim 1): score = sigmoid(scale · mean(rows[ids]) + bias). How a
     * naive Bayes table of per-bucket log-likelihood ratios is served by the same graph.
     *
     * @param rows one value per bucket, index 0 the padding row (its value is ignored and kept 0)
     */
    public static LinearModel ofRows(FeaturizerSpec spec, float[] rows, float scale, float bias) {
        if (rows.length != spec.buckets() + 1) {
            throw new IllegalArgumentException("A table of " + spec.buckets() + " buckets needs " + (spec.buckets() + 1)
                    + " rows, got " + rows.length);
        }
        float[] table = rows.clone();
        table[0] = 0f;
        return new LinearModel(spec, 1, table, new float[] {scale}, bias);
    }

    public FeaturizerSpec spec() {
        return spec;
    }

    public int dim() {
        return dim;
    }

    public float bias() {
        return bias;
    }

    /** A copy of the output weights. */
    public float[] weights() {
        return weights.clone();
    }

    /** Row r of the embedding table (row 0 is the padding row, always zero). */
    public float[] embeddingRow(int r) {
        float[] row = new float[dim];
        System.arraycopy(embeddings, r * dim, row, 0, dim);
        return row;
    }

    /** The embedding table itself, (buckets + 1) x dim row-major, for export; callers must not modify it. */
    public float[] embeddingTable() {
        return embeddings;
    }

    /** The table rows: buckets + 1. */
    public int rows() {
        return embeddings.length / dim;
    }

    /**
     * Each row's contribution to the logit, e_r . w: since the model is linear up to the sigmoid,
     * the average of these over a document's ids plus the bias is its logit. The folded ONNX export
     * stores this column instead of the whole table.
     */
    public float[] foldedTable() {
        int rows = rows();
        float[] folded = new float[rows];
        for (int r = 0; r < rows; r++) {
            float dot = 0;
            int base = r * dim;
            for (int d = 0; d < dim; d++) {
                dot += embeddings[base + d] * weights[d];
            }
            folded[r] = dot;
        }
        return folded;
    }

    /** This model reduced to its folded table and bias, for scoring only. */
    public FoldedModel fold() {
        return new FoldedModel(spec, foldedTable(), bias);
    }

    /** The violation probability of a document given its ids: sigmoid(w . mean(e_ids) + b). */
    public float score(int[] ids) {
        return sigmoid(logit(ids, new float[dim]));
    }

    /** The logit w . mean(e_ids) + b, as {@link #score} computes it. */
    public float logit(int[] ids) {
        return logit(ids, new float[dim]);
    }

    /**
     * How far two float evaluations of this document's logit may lie apart when they add the same terms
     * in different orders: this Java reference, the folded ONNX graph (row dot products first, then a
     * ReduceSum over ids) and the full one (ReduceSum per dimension, then Gemm), on CPU or GPU.
     *
     * <p>Each evaluation computes the exact logit {@code b + (1/n) sum_i sum_d e[id_i][d] w[d]} as a tree of
     * float additions and multiplications in which every term passes through at most
     * {@code k = n + dim + 2} roundings (n - 1 additions over the ids, the 1/n and its product, dim
     * products and additions in the dot product, the bias), whatever the order. Higham's bound
     * (Accuracy and Stability of Numerical Algorithms, 2002, eq. 3.4) puts each within
     * {@code gamma_k * M} of the exact value, with {@code gamma_k = k u / (1 - k u)}, {@code u = 2^-24} and
     * {@code M = |b| + (1/n) sum_i sum_d |e[id_i][d] w[d]|}; so two evaluations differ by at most
     * {@code 2 gamma_k M}. Two spare roundings cover the conversions at the ends. The bound grows with the
     * number of ids and with the magnitudes, which is why a long document scored by a model with large
     * weights can differ by much more than a fixed 1e-5, and a correct model must still pass.
     */
    public double logitErrorBound(int[] ids) {
        double magnitude = Math.abs(bias);
        if (ids.length > 0) {
            double sum = 0;
            for (int id : ids) {
                int base = id * dim;
                for (int d = 0; d < dim; d++) {
                    sum += Math.abs((double) embeddings[base + d] * weights[d]);
                }
            }
            magnitude += sum / ids.length;
        }
        return 2 * gamma(ids.length + dim + 4) * magnitude;
    }

    /** Higham's gamma_k for float: k u / (1 - k u), the relative error of k roundings. */
    public static double gamma(int k) {
        double ku = k * 0x1p-24;
        return ku / (1 - ku);
    }

    float logit(int[] ids, float[] hidden) {
        java.util.Arrays.fill(hidden, 0f);
        for (int id : ids) {
            int base = id * dim;
            for (int d = 0; d < dim; d++) {
                hidden[d] += embeddings[base + d];
            }
        }
        float z = 0;
        if (ids.length > 0) {
            float inv = 1f / ids.length;
            for (int d = 0; d < dim; d++) {
                hidden[d] *= inv;
                z += weights[d] * hidden[d];
            }
        }
        return z + bias;
    }

    static float sigmoid(float z) {
        return (float) (1.0 / (1.0 + Math.exp(-z)));
    }

    LinearModel copy() {
        return new LinearModel(spec, dim, embeddings.clone(), weights.clone(), bias);
    }

    /**
     * This model's parameters written over {@code target}'s (a copy when it is null). A snapshot kept
     * this way costs one table, not two: at 2^21 buckets x 32 a table is 256 MB, and a fresh copy per
     * improving epoch made a 1 GB trainer run out of memory.
     */
    LinearModel copyInto(LinearModel target) {
        if (target == null) {
            return copy();
        }
        System.arraycopy(embeddings, 0, target.embeddings, 0, embeddings.length);
        System.arraycopy(weights, 0, target.weights, 0, weights.length);
        target.bias = bias;
        return target;
    }
}
