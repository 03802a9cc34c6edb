package io.recurate.model.score;

import io.recurate.model.featurize.Featurizer;
import io.recurate.model.train.LinearModel;
import java.util.List;

/** Scores with the trained model's own Java arithmetic: the reference the ONNX export must match. */
public final class ReferenceScorer implements Scorer {
    private final LinearModel model;
    private final Featurizer featurizer;

    public ReferenceScorer(LinearModel model) {
        this.model = model;
        this.featurizer = new Featurizer(model.spec());
    }

    @Override
    public float[] score(List<String> texts) {
        float[] out = new float[texts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = model.score(featurizer.ids(texts.get(i)));
        }
        return out;
    }

    @Override
    public String device() {
        return "java";
    }

    @Override
    public void close() {
    }
}
