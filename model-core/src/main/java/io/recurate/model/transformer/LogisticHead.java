package io.recurate.model.transformer;

import java.util.List;

/**
 * Trains a {@link LinearHead}: weighted logistic regression with an L2 penalty, by full-batch gradient descent
 * with Nesterov momentum on standardized embeddings (so that one step size fits every dimension), folded back into
 * weights on the raw embedding at the end. Deterministic: the same examples give the same head.
 */
public final class LogisticHead {
    private static final int ITERATIONS = 400;
    private static final double STEP = 0.5;
    private static final double MOMENTUM = 0.9;
    /** The penalty of {@code model import-hf}'s first head. */
    private static final double L2 = 1e-4;
    /**
     * The loop's penalty (on standardized dimensions, per unit of example weight). Forty exemplars in 384 dimensions
     * are separable: with 10^-4 the head's logits grow until its scores sit at exactly 0 or 1 in float, ties that
     * the loop's quantile thresholds and the ranking cannot break. 10^-2 keeps v0's logits within about ±10 and,
     * measured on the bench corpora, ranks as well or better after a pass (issue 31).
     */
    public static final double LOOP_L2 = 1e-2;

    private LogisticHead() {
    }

    /**
     * @param embeddings one per example, all of the same dimension
     * @param violating  the label of each example
     * @param weights    the weight of each example (constitution exemplars count more)
     */
    public static LinearHead train(List<float[]> embeddings, boolean[] violating, float[] weights) {
        return train(embeddings, violating, weights, L2);
    }

    /** @param l2 the penalty on the standardized weights */
    public static LinearHead train(List<float[]> embeddings, boolean[] violating, float[] weights, double l2) {
        double[] targets = new double[violating.length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = violating[i] ? 1 : 0;
        }
        return train(embeddings, targets, weights, l2);
    }

    /**
     * With soft targets: example i is violating with probability {@code targets[i]} (a document that trains both
     * classes, with weights q and 1 − q, is one example of target q and the sum of the weights: the same loss).
     *
     * @param l2 the penalty on the standardized weights
     */
    public static LinearHead train(List<float[]> embeddings, double[] targets, float[] weights, double l2) {
        if (!(l2 >= 0 && l2 * STEP < 1)) {
            // Each step shrinks the weights by STEP * l2: at 1 or more it overshoots and the weights diverge.
            throw new IllegalArgumentException("The head's L2 penalty must lie in [0, " + 1 / STEP + "), got " + l2);
        }
        int n = embeddings.size();
        if (n == 0) {
            throw new IllegalArgumentException("A head needs examples");
        }
        int d = embeddings.get(0).length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += weights[i];
            for (int j = 0; j < d; j++) {
                mean[j] += weights[i] * embeddings.get(i)[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= total;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = embeddings.get(i)[j] - mean[j];
                scale[j] += weights[i] * c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(scale[j] / total);
            scale[j] = sd > 1e-12 ? 1 / sd : 0;
        }
        // Standardized once, not in every iteration.
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) {
            float[] e = embeddings.get(i);
            for (int j = 0; j < d; j++) {
                x[i][j] = (e[j] - mean[j]) * scale[j];
            }
        }
        double[] w = new double[d + 1]; // last: bias
        double[] velocity = new double[d + 1];
        double[] look = new double[d + 1];
        double[] gradient = new double[d + 1];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            for (int j = 0; j <= d; j++) {
                look[j] = w[j] + MOMENTUM * velocity[j];
            }
            java.util.Arrays.fill(gradient, 0);
            for (int i = 0; i < n; i++) {
                double[] xi = x[i];
                double z = look[d];
                for (int j = 0; j < d; j++) {
                    z += look[j] * xi[j];
                }
                double p = 1 / (1 + Math.exp(-z));
                double g = weights[i] * (p - targets[i]) / total;
                for (int j = 0; j < d; j++) {
                    gradient[j] += g * xi[j];
                }
                gradient[d] += g;
            }
            for (int j = 0; j < d; j++) {
                gradient[j] += l2 * look[j];
            }
            for (int j = 0; j <= d; j++) {
                velocity[j] = MOMENTUM * velocity[j] - STEP * gradient[j];
                w[j] += velocity[j];
            }
        }
        float[] raw = new float[d];
        double bias = w[d];
        for (int j = 0; j < d; j++) {
            raw[j] = (float) (w[j] * scale[j]);
            bias -= w[j] * scale[j] * mean[j];
        }
        return new LinearHead(raw, (float) bias);
    }
}
