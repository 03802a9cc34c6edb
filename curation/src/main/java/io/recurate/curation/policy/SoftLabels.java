package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.train.Example;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Soft labels by EM (Nigam, McCallum, Thrun and Mitchell, 2000), started from Elkan and Noto's
 * correction: each unlabelled document gets the posterior P(violating | x) of the current models (held
 * out: its own fold's model never saw it) and trains the next round as violating with that weight and
 * as acceptable with the rest; positives and the constitution keep their labels. After the last round
 * the models estimate the posterior itself, so the threshold is 1/2.
 */
public final class SoftLabels implements TrainingPolicy {
    /** Posteriors this close to 0 or 1 are taken as hard labels (one example instead of two). */
    private static final double HARD = 1e-3;
    private final int rounds;

    /** @param rounds EM rounds after the Elkan–Noto start, at least 1 */
    public SoftLabels(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("EM needs at least one round, got " + rounds);
        }
        this.rounds = rounds;
    }

    @Override
    public String name() {
        return "soft-labels";
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        LabelFrequency.requireFolds(learner, name());
        FoldModels models = learner.fit(KeptAsAcceptable.examples(input));
        Map<String, Double> start = LabelFrequency.calibrate(models, input);
        double c = start.get(TrainedVersion.LABEL_FREQUENCY);
        double[] posterior = new double[input.unlabelled().size()];
        for (int i = 0; i < posterior.length; i++) {
            TextDocument d = input.unlabelled().get(i);
            posterior[i] = Math.min(1, models.score(d.id(), d.text()) / c);
        }
        for (int round = 1; round <= rounds; round++) {
            models = round == rounds ? learner.fitVersion(examples(input, posterior)) : learner.fit(examples(input, posterior));
            if (round < rounds) {
                for (int i = 0; i < posterior.length; i++) {
                    TextDocument d = input.unlabelled().get(i);
                    posterior[i] = models.score(d.id(), d.text());
                }
            }
        }
        double expected = input.violating().size();
        for (double p : posterior) {
            expected += p;
        }
        Map<String, Double> calibration = new HashMap<>();
        calibration.put(TrainedVersion.THRESHOLD, 0.5);
        calibration.put(TrainedVersion.LABEL_FREQUENCY, c);
        calibration.put(TrainedVersion.PRIOR, expected / Math.max(1, input.violating().size() + posterior.length));
        calibration.put(TrainedVersion.HELD_OUT, (double) input.violating().size());
        return TrainedVersion.of(models, input.constitution(), calibration);
    }

    static List<CrossFitExample> examples(TrainingInput input, double[] posterior) {
        List<CrossFitExample> out = new ArrayList<>();
        for (TextDocument d : input.violating()) {
            out.add(new CrossFitExample(d.id(), new Example(d.text(), true, 1f)));
        }
        for (int i = 0; i < posterior.length; i++) {
            TextDocument d = input.unlabelled().get(i);
            double p = posterior[i];
            if (p > HARD) {
                out.add(new CrossFitExample(d.id(), new Example(d.text(), true, (float) Math.min(1, p))));
            }
            if (p < 1 - HARD) {
                out.add(new CrossFitExample(d.id(), new Example(d.text(), false, (float) (1 - Math.max(0, p)))));
            }
        }
        out.addAll(Exemplars.crossFitted(input.constitution()));
        return out;
    }
}
