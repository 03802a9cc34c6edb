package io.recurate.curation.simulate;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.Metrics;
import io.recurate.model.train.TrainerSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * What the same model achieves when every label is known: K-fold cross-validation on the gold labels, each
 * document scored by the model that did not train on it, read at a given benign retention (the lowest
 * violating share kept while keeping at least that share of the acceptable documents).
 */
public final class SupervisedCeiling {
    private final float[] scores;
    private final boolean[] violating;

    private SupervisedCeiling(float[] scores, boolean[] violating) {
        this.scores = scores;
        this.violating = violating;
    }

    /** The hashed n-gram model's ceiling. */
    public static SupervisedCeiling train(List<LabelledDocument> corpus, FeaturizerSpec spec, TrainerSettings settings,
                                          int folds) {
        return train(corpus, LoopModels.hashed(spec, settings, settings), folds);
    }

    /** The ceiling of the loop's kind of model. */
    public static SupervisedCeiling train(List<LabelledDocument> corpus, LoopModels models, int folds) {
        List<CrossFitExample> examples = new ArrayList<>();
        boolean[] labels = new boolean[corpus.size()];
        for (int i = 0; i < labels.length; i++) {
            LabelledDocument d = corpus.get(i);
            examples.add(new CrossFitExample(d.id(), new Example(d.text(), d.violating(), 1f)));
            labels[i] = d.violating();
        }
        return new SupervisedCeiling(models.score(models.next(folds, null).fit(examples), corpus), labels);
    }

    /** The violating share kept when the acceptable documents are kept at (at least) {@code retention}. */
    public double violatingShareAt(double retention) {
        return Retention.violatingShareAt(scores, violating, retention);
    }

    public double auc() {
        return Metrics.rocAuc(scores, violating);
    }
}
