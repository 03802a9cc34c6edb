package io.recurate.curation.policy;

import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.TextDocument;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Elkan and Noto (2008), "Learning classifiers from only positive and unlabeled data": train g(x) ≈
 * P(labelled | x) with the labelled positives against the unlabelled documents; if the labelled ones are
 * a random share c of all violators, P(violating | x) = g(x) / c, and c is the mean of g over held-out
 * positives. Cross-fitting gives every positive a held-out score (its fold's model never saw it), so c
 * is estimated on all of them. The version's threshold is where the corrected posterior reaches 1/2:
 * g(x) ≥ c / 2. It needs K ≥ 2 folds.
 */
public final class LabelFrequency implements TrainingPolicy {
    @Override
    public String name() {
        return "label-frequency";
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        requireFolds(learner, name());
        FoldModels models = learner.fitVersion(KeptAsAcceptable.examples(input));
        return TrainedVersion.of(models, input.constitution(), calibrate(models, input));
    }

    static void requireFolds(FoldLearner learner, String policy) {
        if (learner.k() < 2) {
            throw new IllegalArgumentException(policy + " needs held-out scores: cross-fit with at least 2 folds");
        }
    }

    /** c from the positives' held-out scores, the threshold c/2, and the prior it implies. */
    static Map<String, Double> calibrate(FoldModels models, TrainingInput input) {
        double c = labelFrequency(models, input.violating());
        double prior = prior(models, input, c);
        Map<String, Double> calibration = new HashMap<>();
        calibration.put(TrainedVersion.LABEL_FREQUENCY, c);
        calibration.put(TrainedVersion.THRESHOLD, c / 2);
        calibration.put(TrainedVersion.PRIOR, prior);
        calibration.put(TrainedVersion.HELD_OUT, (double) input.violating().size());
        return calibration;
    }

    /** Mean held-out score of the labelled positives; 1 when there are none (nothing to correct). */
    static double labelFrequency(FoldModels models, List<TextDocument> positives) {
        if (positives.isEmpty()) {
            return 1;
        }
        double sum = 0;
        for (TextDocument d : positives) {
            sum += models.score(d.id(), d.text());
        }
        return Math.max(1e-3, Math.min(1, sum / positives.size()));
    }

    /**
     * The violating share of positives and unlabelled together: each unlabelled document counts with
     * Elkan and Noto's weight P(violating | x, unlabelled) = (1 − c)/c · g/(1 − g), clipped to [0, 1].
     */
    static double prior(FoldModels models, TrainingInput input, double c) {
        int total = input.violating().size() + input.unlabelled().size();
        if (total == 0) {
            return 0;
        }
        double violating = input.violating().size();
        for (TextDocument d : input.unlabelled()) {
            violating += hiddenPositiveWeight(models.score(d.id(), d.text()), c);
        }
        return violating / total;
    }

    /** P(violating | x, unlabelled) from g(x) = P(labelled | x) and c. */
    static double hiddenPositiveWeight(double g, double c) {
        if (g >= 1) {
            return 1;
        }
        return Math.max(0, Math.min(1, (1 - c) / c * g / (1 - g)));
    }
}
