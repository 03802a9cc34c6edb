package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.bundle.Folds;
import io.recurate.model.train.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Spies (Liu, Lee, Yu and Li, 2002, "Partially supervised classification of text documents"): a share of
 * the labelled positives is hidden among the unlabelled documents for training; the hidden violators
 * behave like them, so the threshold is set where {@code recall} of the spies' held-out scores lie above it.
 */
public final class Spies implements TrainingPolicy {
    private final double share;
    private final double recall;

    /**
     * @param share  the share of positives that become spies, e.g. 0.15 (Liu et al. use 10–15%)
     * @param recall the share of spies the threshold must catch, e.g. 0.9
     */
    public Spies(double share, double recall) {
        if (!(share > 0 && share < 1) || !(recall > 0 && recall <= 1)) {
            throw new IllegalArgumentException("Spy share must be in (0, 1) and recall in (0, 1], got " + share + ", " + recall);
        }
        this.share = share;
        this.recall = recall;
    }

    @Override
    public String name() {
        return "spies";
    }

    /** Spies are chosen by a stable hash of the id, so a replayed training picks the same ones. */
    boolean isSpy(String id) {
        return Folds.of("spy:" + id, 10_000) < share * 10_000;
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        LabelFrequency.requireFolds(learner, name());
        List<TextDocument> spies = new ArrayList<>();
        List<CrossFitExample> examples = new ArrayList<>();
        for (TextDocument d : input.violating()) {
            boolean spy = isSpy(d.id());
            if (spy) {
                spies.add(d);
            }
            examples.add(new CrossFitExample(d.id(), new Example(d.text(), !spy, 1f)));
        }
        for (TextDocument d : input.unlabelled()) {
            examples.add(new CrossFitExample(d.id(), new Example(d.text(), false, 1f)));
        }
        examples.addAll(Exemplars.crossFitted(input.constitution()));
        FoldModels models = learner.fitVersion(examples);
        if (spies.isEmpty()) {
            return TrainedVersion.of(models, input.constitution(), Map.of());
        }
        float[] scores = new float[spies.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = models.score(spies.get(i).id(), spies.get(i).text());
        }
        Arrays.sort(scores);
        float tau = scores[(int) Math.floor((1 - recall) * (scores.length - 1))];
        return TrainedVersion.of(models, input.constitution(), Map.of(TrainedVersion.THRESHOLD, (double) tau,
                TrainedVersion.HELD_OUT, (double) spies.size()));
    }
}
