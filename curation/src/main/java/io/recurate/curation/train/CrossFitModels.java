package io.recurate.curation.train;

import io.recurate.model.bundle.Folds;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.train.FoldedModel;
import java.util.List;

/**
 * A version's K fold models, reduced for scoring. A document is scored by the model of its fold, which
 * never trained on it, so its score says what the rest of the corpus teaches about it, not its own label.
 */
public final class CrossFitModels implements FoldModels {
    private final List<FoldedModel> folds;
    private final Featurizer featurizer;

    public CrossFitModels(List<FoldedModel> folds) {
        if (folds.isEmpty()) {
            throw new IllegalArgumentException("A version needs at least one model");
        }
        this.folds = List.copyOf(folds);
        this.featurizer = new Featurizer(folds.get(0).spec());
    }

    @Override
    public int k() {
        return folds.size();
    }

    public Featurizer featurizer() {
        return featurizer;
    }

    @Override
    public float score(String id, String text) {
        return score(id, featurizer.ids(text));
    }

    /** The score of document {@code id} by the model that did not train on it. */
    public float score(String id, int[] ids) {
        return folds.get(Folds.of(id, folds.size())).score(ids);
    }
}
