package io.recurate.model.transformer;

import java.util.List;

/**
 * Trains a {@link LinearHead}: weighted logistic regression with a small L2 penalty, by full-batch gradient descent
 * with Nesterov momentum on standardized embeddings (so that one step size fits every dimension), folded back into
 * weights on the raw embedding at the end. Deterministic: the same examples give the same head.
 */
public final class LogisticHead {
    private static final int ITERATIONS = 400;
    private static final double STEP = 0.5;
    private static final double MOMENTUM = 0.9;
    private static final double L2 = 1e-4;

    private LogisticHead() {
    }

    /**
     * @param embeddings one per example, all of the same dimension
     * @param violating  the label of each example
     * @param weights    the weight of each example (constitution exemplars count more)
     */
    public static LinearHead train(List<float[]> embeddings, boolean[] violating, float[] weights) {
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
        double[] w = new double[d + 1]; // last: bias
        double[] velocity = new double[d + 1];
        double[] look = new double[d + 1];
        double[] gradient = new double[d + 1];
        double[] x = new double[d];
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            for (int j = 0; j <= d; j++) {
                look[j] = w[j] + MOMENTUM * velocity[j];
            }
            java.util.Arrays.fill(gradient, 0);
            for (int i = 0; i < n; i++) {
                float[] e = embeddings.get(i);
                double z = look[d];
                for (int j = 0; j < d; j++) {
                    x[j] = (e[j] - mean[j]) * scale[j];
                    z += look[j] * x[j];
                }
                double p = 1 / (1 + Math.exp(-z));
                double g = weights[i] * (p - (violating[i] ? 1 : 0)) / total;
                for (int j = 0; j < d; j++) {
                    gradient[j] += g * x[j];
                }
                gradient[d] += g;
            }
            for (int j = 0; j < d; j++) {
                gradient[j] += L2 * look[j];
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
