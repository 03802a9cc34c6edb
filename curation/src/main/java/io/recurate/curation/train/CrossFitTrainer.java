package io.recurate.curation.train;

import io.recurate.model.bundle.Folds;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.FoldedModel;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a version as K hashed n-gram fold models (the built-in SGD model): model k learns from every example but the
 * documents of fold k. One trained table is alive at a time: each fold of the version is handed to the sink (which
 * writes its bundle) and kept only in folded form.
 */
public final class CrossFitTrainer implements FoldLearner {
    /** Receives each fold's trained model while it is still whole, e.g. to write its bundle. */
    @FunctionalInterface
    public interface FoldSink {
        FoldSink NONE = (fold, k, trained) -> { };

        void accept(int fold, int k, Trainer.Result trained);
    }

    private final FeaturizerSpec spec;
    private final TrainerSettings settings;
    private final int k;
    private final TrainingListener listener;
    private final FoldSink sink;

    /** A learner whose models are kept in memory only (benchmarks, tests). */
    public CrossFitTrainer(FeaturizerSpec spec, TrainerSettings settings, int k) {
        this(spec, settings, k, TrainingListener.NONE, FoldSink.NONE);
    }

    /** @param sink receives the version's fold models ({@link #fitVersion}) while each is still whole */
    public CrossFitTrainer(FeaturizerSpec spec, TrainerSettings settings, int k, TrainingListener listener, FoldSink sink) {
        if (k < 1) {
            throw new IllegalArgumentException("Cross-fitting needs at least 1 fold, got " + k);
        }
        this.spec = spec;
        this.settings = settings;
        this.k = k;
        this.listener = listener;
        this.sink = sink;
    }

    /** {@code learner} as the hashed n-gram trainer, or an error naming the policy that needs it. */
    public static CrossFitTrainer required(FoldLearner learner, String policy) {
        if (learner instanceof CrossFitTrainer trainer) {
            return trainer;
        }
        throw new IllegalArgumentException("The training rule " + policy + " learns hashed n-gram models only, not a "
                + learner.describe() + "; with an encoder choose a policy whose rule fits any model (e.g. self-train)");
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public String describe() {
        return "hashed n-gram model (SGD)";
    }

    @Override
    public CrossFitModels fit(List<CrossFitExample> examples) {
        return train(examples, listener, FoldSink.NONE);
    }

    @Override
    public CrossFitModels fitVersion(List<CrossFitExample> examples) {
        return train(examples, listener, sink);
    }

    public TrainingListener listener() {
        return listener;
    }

    /** Where the version's fold models go: for a training rule that builds its models itself (naive Bayes). */
    public FoldSink sink() {
        return sink;
    }

    public FeaturizerSpec spec() {
        return spec;
    }

    public CrossFitModels train(List<CrossFitExample> examples, TrainingListener listener, FoldSink sink) {
        List<FoldedModel> folds = new ArrayList<>(k);
        for (int fold = 0; fold < k; fold++) {
            int left = fold;
            List<io.recurate.model.train.Example> own = new ArrayList<>();
            for (CrossFitExample e : examples) {
                if (e.id() == null || k == 1 || Folds.of(e.id(), k) != left) {
                    own.add(e.example());
                }
            }
            requireBothClasses(own, fold);
            Trainer.Result trained = new Trainer(spec, settings).train(own.iterator(), listener);
            sink.accept(fold, k, trained);
            folds.add(trained.model().fold());
        }
        return new CrossFitModels(folds);
    }

    private void requireBothClasses(List<io.recurate.model.train.Example> examples, int fold) {
        long violating = examples.stream().filter(io.recurate.model.train.Example::violating).count();
        if (violating == 0 || violating == examples.size()) {
            throw new IllegalArgumentException("Cannot train " + (k == 1 ? "the model" : "fold " + fold + " of " + k)
                    + ": its data holds only " + (violating == 0 ? "acceptable" : "violating") + " examples");
        }
    }
}
