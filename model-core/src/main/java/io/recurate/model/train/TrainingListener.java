package io.recurate.model.train;

/** Progress of a training run, for progress bars and metrics. Called from the training threads. */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() { };

    /** Examples read and featurized so far. */
    default void examplesRead(long count) {
    }

    /** Tokens processed so far, of the total for all epochs. */
    default void progress(long tokensDone, long tokensTotal) {
    }

    /** An epoch finished. */
    default void epochFinished(EpochStats stats) {
    }

    /** Loss and validation metrics of one epoch. */
    record EpochStats(int epoch, double trainLoss, double validationLoss, double validationAuc) {
    }
}
