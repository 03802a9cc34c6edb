package io.recurate.curation.simulate;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.curation.train.CrossFitModels;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

    public static SupervisedCeiling train(List<LabelledDocument> corpus, FeaturizerSpec spec, TrainerSettings settings,
                                          int folds) {
        List<CrossFitExample> examples = new ArrayList<>();
        for (LabelledDocument d : corpus) {
            examples.add(new CrossFitExample(d.id(), new Example(d.text(), d.violating(), 1f)));
        }
        CrossFitModels models = new CrossFitTrainer(spec, settings, folds).train(examples, TrainingListener.NONE,
                CrossFitTrainer.FoldSink.NONE);
        float[] scores = new float[corpus.size()];
        boolean[] labels = new boolean[corpus.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = models.score(corpus.get(i).id(), corpus.get(i).text());
            labels[i] = corpus.get(i).violating();
        }
        return new SupervisedCeiling(scores, labels);
    }

    /** The violating share kept when the acceptable documents are kept at (at least) {@code retention}. */
    public double violatingShareAt(double retention) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i])); // keep the lowest scores first
        long acceptable = 0;
        for (boolean v : violating) {
            acceptable += v ? 0 : 1;
        }
        long needed = (long) Math.ceil(retention * acceptable);
        long keptAcceptable = 0;
        long keptViolating = 0;
        for (int k = 0; k < order.length && keptAcceptable < needed; k++) {
            if (violating[order[k]]) {
                keptViolating++;
            } else {
                keptAcceptable++;
            }
        }
        long kept = keptAcceptable + keptViolating;
        return kept == 0 ? 0 : (double) keptViolating / kept;
    }
}
