package io.recurate.model.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the trainer learns; recorded in the bundle's provenance.
 *
 * @param dim                embedding dimension
 * @param epochs             passes over the training data (at most, with early stopping)
 * @param learningRate       initial SGD step, decayed linearly to 0 over all epochs
 * @param threads            Hogwild worker threads; 1 makes a run reproducible for a seed
 * @param seed               seed of initialization, shuffling and the validation split
 * @param validationFraction share of examples held out for early stopping and metrics (0 disables)
 * @param patience           epochs without validation improvement before stopping
 * @param balanceClasses     weight classes inversely to their frequency
 */
public record TrainerSettings(int dim, int epochs, float learningRate, int threads, long seed,
                              double validationFraction, int patience, boolean balanceClasses) {
    public TrainerSettings {
        if (dim < 1 || epochs < 1 || threads < 1 || patience < 1) {
            throw new IllegalArgumentException("dim, epochs, threads and patience must be at least 1");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
    }

    /**
     * dim 32, 5 epochs, learning rate 1.0, 1 thread, seed 42, 10% validation, patience 2, no balancing.
     * (A logistic step of 1.0 moves the logit as far as fastText's two-class softmax step of 0.5.)
     */
    public static TrainerSettings defaults() {
        return new TrainerSettings(32, 5, 1.0f, 1, 42, 0.1, 2, false);
    }

    public TrainerSettings withThreads(int value) {
        return new TrainerSettings(dim, epochs, learningRate, value, seed, validationFraction, patience, balanceClasses);
    }

    public TrainerSettings withEpochs(int value) {
        return new TrainerSettings(dim, value, learningRate, threads, seed, validationFraction, patience, balanceClasses);
    }

    public TrainerSettings withValidationFraction(double value) {
        return new TrainerSettings(dim, epochs, learningRate, threads, seed, value, patience, balanceClasses);
    }

    public TrainerSettings withSeed(long value) {
        return new TrainerSettings(dim, epochs, learningRate, threads, value, validationFraction, patience, balanceClasses);
    }

    /** The settings under the keys every bundle's provenance uses ({@code trainer.*}). */
    public Map<String, String> provenance() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("trainer.dim", Integer.toString(dim));
        p.put("trainer.epochs", Integer.toString(epochs));
        p.put("trainer.learning_rate", Float.toString(learningRate));
        p.put("trainer.threads", Integer.toString(threads));
        p.put("trainer.seed", Long.toString(seed));
        p.put("trainer.validation_fraction", Double.toString(validationFraction));
        p.put("trainer.patience", Integer.toString(patience));
        p.put("trainer.balance_classes", Boolean.toString(balanceClasses));
        return p;
    }
}
