package io.recurate.curation.policy;

import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.model.train.Example;
import java.util.List;
import java.util.Map;

/** How the next version's training set is built from a pass, and what its training tells about calibration. */
public interface TrainingPolicy {
    /** Short name, as the command line and reports give it. */
    String name();

    /**
     * Version 0, from the constitution alone, cross-fitted over the exemplars when the learner has folds (so each
     * exemplar gets a held-out score).
     */
    default TrainedVersion trainInitial(List<Example> constitution, FoldLearner learner) {
        return TrainedVersion.of(learner.fitVersion(Exemplars.crossFitted(constitution)), constitution, Map.of());
    }

    /**
     * Trains the next version with {@code learner}: its final fold models (and only those) come from
     * {@link FoldLearner#fitVersion}, which writes their bundles.
     */
    TrainedVersion train(TrainingInput input, FoldLearner learner);
}
