package io.recurate.trainer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recurate.model.train.TrainingListener;
import java.util.concurrent.atomic.AtomicReference;

/** Training progress as gauges, tagged by the version being trained: examples, epoch, loss, validation AUC. */
final class TrainerMetrics implements TrainingListener {
    private final AtomicReference<double[]> state = new AtomicReference<>(new double[] {0, 0, Double.NaN, Double.NaN});

    TrainerMetrics(MeterRegistry registry, String version) {
        gauge(registry, "recurate.trainer.examples", "Examples read so far", version, 0);
        gauge(registry, "recurate.trainer.epoch", "Last finished epoch", version, 1);
        gauge(registry, "recurate.trainer.loss", "Training loss of the last epoch", version, 2);
        gauge(registry, "recurate.trainer.validation.auc", "Validation ROC AUC of the last epoch", version, 3);
    }

    private void gauge(MeterRegistry registry, String name, String description, String version, int index) {
        Gauge.builder(name, state, s -> s.get()[index]).description(description).tag("model_version", version)
                .register(registry);
    }

    @Override
    public void examplesRead(long count) {
        state.updateAndGet(s -> new double[] {count, s[1], s[2], s[3]});
    }

    @Override
    public void epochFinished(EpochStats stats) {
        state.updateAndGet(s -> new double[] {s[0], stats.epoch(), stats.trainLoss(), stats.validationAuc()});
    }
}
