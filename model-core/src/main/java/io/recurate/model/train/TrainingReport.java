package io.recurate.model.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a training run did: data counts, epochs, metrics on the held-out validation split, speed.
 * Goes into the bundle manifest as training metrics.
 */
public record TrainingReport(long trainExamples, long validationExamples, long trainViolating, long trainTokens,
                             int epochsRun, int bestEpoch, double trainLoss, double validationLoss,
                             double validationAuc, double validationAccuracy, double featurizeSeconds,
                             double trainSeconds, int threads) {

    /** Training tokens per second per thread, counting every epoch (fastText's words/sec/thread). */
    public double tokensPerSecondPerThread() {
        return trainTokens * (double) epochsRun / Math.max(1e-9, trainSeconds) / threads;
    }

    public Map<String, Double> asMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_examples", (double) trainExamples);
        m.put("validation_examples", (double) validationExamples);
        m.put("train_violating", (double) trainViolating);
        m.put("train_tokens", (double) trainTokens);
        m.put("epochs_run", (double) epochsRun);
        m.put("best_epoch", (double) bestEpoch);
        m.put("train_loss", trainLoss);
        m.put("validation_loss", validationLoss);
        m.put("validation_auc", validationAuc);
        m.put("validation_accuracy", validationAccuracy);
        m.put("featurize_seconds", featurizeSeconds);
        m.put("training_seconds", trainSeconds);
        m.put("tokens_per_second_per_thread", tokensPerSecondPerThread());
        return m;
    }
}
