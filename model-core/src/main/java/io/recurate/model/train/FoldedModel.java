package io.recurate.model.train;

import io.recurate.model.featurize.FeaturizerSpec;

/**
 * A trained model reduced to what scoring needs: each table row's contribution to the logit (the
 * folded export's table) and the bias. A dim-th of the trained table (8 MB at 2^21 buckets), so a
 * version's K fold models can be held at once to score documents out of fold.
 */
public final class FoldedModel {
    private final FeaturizerSpec spec;
    private final float[] folded;
    private final float bias;

    FoldedModel(FeaturizerSpec spec, float[] folded, float bias) {
        this.spec = spec;
        this.folded = folded;
        this.bias = bias;
    }

    public FeaturizerSpec spec() {
        return spec;
    }

    /** The violation probability of a document given its ids. */
    public float score(int[] ids) {
        return LinearModel.sigmoid(logit(ids));
    }

    public float logit(int[] ids) {
        if (ids.length == 0) {
            return bias;
        }
        float sum = 0;
        for (int id : ids) {
            sum += folded[id];
        }
        return sum / ids.length + bias;
    }
}
