package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.Exemplars;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainingListener;
import java.util.List;
import java.util.Map;

/** How the next version's training set is built from a pass, and what its training tells about calibration. */
public interface TrainingPolicy {
    /** Short name, as the command line and reports give it. */
    String name();

    /**
     * Version 0, from the constitution alone: by default the SGD model, cross-fitted over the exemplars
     * when {@code trainer} has folds (so each exemplar gets a held-out score).
     */
    default TrainedVersion trainInitial(List<Example> constitution, CrossFitTrainer trainer, TrainingListener listener,
                                        CrossFitTrainer.FoldSink sink) {
        return TrainedVersion.of(trainer.train(Exemplars.crossFitted(constitution), listener, sink), constitution, Map.of());
    }

    /**
     * Trains the next version. The final fold models (and only those) go to {@code sink}, which writes
     * their bundles.
     */
    TrainedVersion train(TrainingInput input, CrossFitTrainer trainer, TrainingListener listener,
                         CrossFitTrainer.FoldSink sink);
}
