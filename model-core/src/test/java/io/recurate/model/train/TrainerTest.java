package io.recurate.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.model.TestData;
import io.recurate.model.data.LabelledText;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

public class TrainerTest {
    private static final FeaturizerSpec SMALL = FeaturizerSpec.of(List.of(1, 2), 1 << 16, 4096);

    /** Violating texts mention a spam word, acceptable ones a work word; the rest is shared noise. */
    public static List<Example> separable(int n, long seed) {
        Random random = new Random(seed);
        String[] spam = {"viagra", "lottery", "casino", "bitcoin"};
        String[] work = {"meeting", "invoice", "agenda", "report"};
        String[] noise = {"the", "a", "today", "please", "see", "you", "with", "and"};
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean violating = i % 2 == 0;
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 8; w++) {
                text.append(noise[random.nextInt(noise.length)]).append(' ');
            }
            text.append((violating ? spam : work)[random.nextInt(4)]);
            out.add(Example.of(text.toString(), violating));
        }
        return out;
    }

    @Test
    void earlyStoppingReturnsTheBestEpochsModel() {
        // A weak shared signal and many unique words with random labels: validation improves for a few
        // epochs, then the model learns the noise and it gets worse.
        Random random = new Random(3);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            boolean violating = random.nextBoolean();
            boolean hint = random.nextFloat() < 0.7f ? violating : !violating;
            examples.add(Example.of((hint ? "casino" : "meeting") + " w" + random.nextInt(100_000) + " w"
                    + random.nextInt(100_000) + " w" + random.nextInt(100_000), violating));
        }
        List<Double> validationLoss = new ArrayList<>();
        TrainerSettings settings = new TrainerSettings(32, 40, 0.1f, 1, 42, 0.3, 2, false);
        Trainer.Result result = new Trainer(SMALL, settings).train(examples.iterator(), new TrainingListener() {
            @Override
            public void epochFinished(EpochStats stats) {
                validationLoss.add(stats.validationLoss());
            }
        });
        TrainingReport report = result.report();
        assertThat(report.bestEpoch()).as("improved over several epochs, so the snapshot was overwritten in place")
                .isGreaterThan(2).isLessThan(report.epochsRun());
        assertThat(report.validationLoss()).as("the returned model is the best epoch's, not the last one's")
                .isEqualTo(validationLoss.get(report.bestEpoch() - 1), org.assertj.core.api.Assertions.within(1e-9))
                .isLessThan(validationLoss.get(report.epochsRun() - 1));
    }

    private static double auc(LinearModel model, List<Example> examples) {
        Featurizer f = new Featurizer(model.spec());
        float[] scores = new float[examples.size()];
        boolean[] labels = new boolean[examples.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = model.score(f.ids(examples.get(i).text()));
            labels[i] = examples.get(i).violating();
        }
        return Metrics.rocAuc(scores, labels);
    }

    @Test
    void learnsASeparableToySetPerfectly() {
        TrainerSettings settings = TrainerSettings.defaults().withValidationFraction(0.2);
        Trainer.Result result = new Trainer(SMALL, settings).train(separable(2000, 1).iterator(), TrainingListener.NONE);
        assertThat(auc(result.model(), separable(500, 2))).isEqualTo(1.0);
        assertThat(result.report().validationAuc()).isEqualTo(1.0);
        assertThat(result.report().trainExamples() + result.report().validationExamples()).isEqualTo(2000);
    }

    @Test
    void singleThreadedRunsWithTheSameSeedAreIdentical() {
        TrainerSettings settings = TrainerSettings.defaults().withSeed(11);
        LinearModel a = new Trainer(SMALL, settings).train(separable(500, 3).iterator(), TrainingListener.NONE).model();
        LinearModel b = new Trainer(SMALL, settings).train(separable(500, 3).iterator(), TrainingListener.NONE).model();
        assertThat(a.embeddingTable()).isEqualTo(b.embeddingTable());
        assertThat(a.weights()).isEqualTo(b.weights());
        assertThat(a.bias()).isEqualTo(b.bias());
        LinearModel c = new Trainer(SMALL, settings.withSeed(12)).train(separable(500, 3).iterator(), TrainingListener.NONE).model();
        assertThat(c.weights()).isNotEqualTo(a.weights());
    }

    @Test
    void heavierExamplesPullTheModelHarder() {
        // The same ambiguous text labelled both ways; the side with the larger weight wins.
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            examples.add(new Example("ambiguous offer text", true, 5f));
            examples.add(new Example("ambiguous offer text", false, 1f));
        }
        TrainerSettings settings = TrainerSettings.defaults().withValidationFraction(0);
        LinearModel model = new Trainer(SMALL, settings).train(examples.iterator(), TrainingListener.NONE).model();
        float score = model.score(new Featurizer(SMALL).ids("ambiguous offer text"));
        assertThat(score).isGreaterThan(0.75f); // the weighted optimum is 5/6
    }

    @Test
    void reachesHighAucOnTheRealSpamAssassinSplitWithTwoThreads() {
        List<List<LabelledText>> split = TestData.spamAssassinSplit();
        TrainerSettings settings = TrainerSettings.defaults().withThreads(2);
        List<String> seen = new ArrayList<>();
        Trainer.Result result = new Trainer(FeaturizerSpec.defaults(), settings).train(
                split.get(0).stream().map(LabelledText::toExample).iterator(), new TrainingListener() {
                    @Override
                    public void epochFinished(EpochStats stats) {
                        seen.add("epoch " + stats.epoch());
                    }
                });
        double auc = auc(result.model(), split.get(1).stream().map(LabelledText::toExample).toList());
        assertThat(auc).as("test AUC on the held-out 20%").isGreaterThan(0.98);
        assertThat(seen).isNotEmpty();
        assertThat(result.report().tokensPerSecondPerThread()).isPositive();
    }
}
