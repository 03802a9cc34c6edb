package io.recurate.cli;

import io.recurate.model.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;

/** Two bars in turn: documents read (and featurized), then training progress with epoch metrics. */
final class TrainingProgress implements TrainingListener, AutoCloseable {
    private ProgressBar reading = Progress.bar("Reading", -1, " docs");
    private ProgressBar training;

    @Override
    public synchronized void examplesRead(long count) {
        if (reading != null) {
            reading.stepTo(count);
        }
    }

    @Override
    public synchronized void progress(long done, long total) {
        if (training == null) {
            close(reading);
            reading = null;
            training = Progress.bar("Training", 100, "%");
        }
        training.stepTo(done * 100 / Math.max(1, total));
    }

    @Override
    public synchronized void epochFinished(EpochStats stats) {
        if (training != null) {
            training.setExtraMessage(String.format(" epoch %d, loss %.4f, validation AUC %.4f", stats.epoch(),
                    stats.trainLoss(), stats.validationAuc()));
        }
    }

    @Override
    public synchronized void close() {
        close(reading);
        close(training);
    }

    private static void close(ProgressBar bar) {
        if (bar != null) {
            bar.close();
        }
    }
}
