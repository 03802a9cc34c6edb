package io.recurate.curation.policy;

import io.recurate.curation.train.TextDocument;
import io.recurate.model.train.Example;
import java.util.List;
import java.util.Map;

/**
 * What the next version may learn from after a pass. {@code violating}: the labelled positives (the
 * documents removed so far, as the pass's mode defines them). {@code unlabelled}: what the pass kept,
 * which is not known to be acceptable: it still holds the violators the pass missed. {@code constitution}:
 * the human-labelled exemplars, with their weights. Each document carries the score the pass gave it.
 *
 * @param calibration     what the version that scored the pass recorded (its exemplars' held-out scores), empty
 *                        when unknown
 * @param violatingRead   how many positives the pass had (more than {@code violating} holds when it is a sample)
 * @param unlabelledRead  how many unlabelled documents the pass had
 */
public record TrainingInput(List<TextDocument> violating, List<TextDocument> unlabelled, List<Example> constitution,
                            Map<String, Double> calibration, long violatingRead, long unlabelledRead) {
    /** All of the pass's documents, nothing known of the scoring version. */
    public TrainingInput(List<TextDocument> violating, List<TextDocument> unlabelled, List<Example> constitution) {
        this(violating, unlabelled, constitution, Map.of(), violating.size(), unlabelled.size());
    }

    public TrainingInput {
        calibration = Map.copyOf(calibration);
    }

    /** How many of the pass's documents one sampled positive stands for (1 when all were read). */
    public double violatingWeight() {
        return violating.isEmpty() ? 1 : (double) violatingRead / violating.size();
    }

    /** How many of the pass's documents one sampled unlabelled document stands for. */
    public double unlabelledWeight() {
        return unlabelled.isEmpty() ? 1 : (double) unlabelledRead / unlabelled.size();
    }
}
