package io.recurate.model.onnx;

/**
 * How the embedding table is exported. The graph is the same (Gather, ReduceSum, scale by inverse
 * length, Gemm, Sigmoid); only the table differs.
 */
public enum ExportMode {
    /**
     * The [rows x dim] embedding table and the [dim x 1] output layer, as trained.
     */
    FULL,
    /**
     * The table multiplied by the output layer ahead of time: a [rows x 1] column of per-id logit
     * contributions and a 1x1 Gemm. Exact for a linear model up to float rounding, dim times smaller
     * and faster to score; the default.
     */
    FOLDED
}
