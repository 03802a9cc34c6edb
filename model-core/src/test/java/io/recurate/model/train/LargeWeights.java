package io.recurate.model.train;

import io.recurate.model.featurize.FeaturizerSpec;
import java.util.Random;

/**
 * Models with weights far larger than short training runs give, for checks of float error: the worst
 * case of a model trained long on heavily repeated texts, made without the hours of training.
 */
public final class LargeWeights {
    private LargeWeights() {
    }

    /** Embeddings and output weights drawn from N(0, scale^2), bias 0. */
    public static LinearModel model(FeaturizerSpec spec, int dim, float scale, long seed) {
        Random random = new Random(seed);
        float[] embeddings = new float[(spec.buckets() + 1) * dim];
        for (int i = dim; i < embeddings.length; i++) { // row 0 is padding and stays zero
            embeddings[i] = (float) random.nextGaussian() * scale;
        }
        float[] weights = new float[dim];
        for (int d = 0; d < dim; d++) {
            weights[d] = (float) random.nextGaussian() * scale;
        }
        return new LinearModel(spec, dim, embeddings, weights, 0f);
    }

    /** The same model with another bias, e.g. one that puts a chosen document near the sigmoid's middle. */
    public static LinearModel withBias(LinearModel model, float bias) {
        return new LinearModel(model.spec, model.dim, model.embeddings, model.weights, bias);
    }
}
