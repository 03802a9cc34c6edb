package io.recurate.curation.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.recurate.curation.SyntheticCorpus;
import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.bundle.Folds;
import io.recurate.model.train.Example;
import io.recurate.model.train.Metrics;
import io.recurate.model.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The training policies on a synthetic positive-unlabelled problem whose truth is known: half of the
 * violators, picked at random, are labelled (so Elkan and Noto's c is 1/2), the rest hide among the
 * unlabelled documents.
 */
class TrainingPoliciesTest {
    private static List<LabelledDocument> corpus;
    private static TrainingInput input;
    private static List<LabelledDocument> hidden;

    @BeforeAll
    static void positiveUnlabelledProblem() {
        corpus = SyntheticCorpus.documents(3000, 0.2, 7);
        List<TextDocument> labelled = new ArrayList<>();
        List<TextDocument> unlabelled = new ArrayList<>();
        hidden = new ArrayList<>();
        for (LabelledDocument d : corpus) {
            if (d.violating() && Folds.of("label:" + d.id(), 2) == 0) {
                labelled.add(new TextDocument(d.id(), d.text()));
            } else {
                unlabelled.add(new TextDocument(d.id(), d.text()));
                if (d.violating()) {
                    hidden.add(d);
                }
            }
        }
        input = new TrainingInput(labelled, unlabelled, SyntheticCorpus.constitution(10, 3));
    }

    private static CrossFitTrainer trainer(int k) {
        return new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS, k);
    }

    /** Share of the hidden violators a version scores at or above its threshold. */
    private static double hiddenRecall(TrainedVersion v, float tau) {
        return hidden.stream().filter(d -> v.models().score(d.id(), d.text()) >= tau).count() / (double) hidden.size();
    }

    private static double auc(FoldModels models) {
        float[] s = new float[corpus.size()];
        boolean[] y = new boolean[corpus.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = models.score(corpus.get(i).id(), corpus.get(i).text());
            y[i] = corpus.get(i).violating();
        }
        return Metrics.rocAuc(s, y);
    }

    @Test
    void labelFrequencyEstimatesCAndItsThresholdFindsTheHiddenViolators() {
        TrainedVersion naive = new KeptAsAcceptable().train(input, trainer(5));
        TrainedVersion pu = new LabelFrequency().train(input, trainer(5));
        double c = pu.calibration().get(TrainedVersion.LABEL_FREQUENCY);
        assertThat(c).as("half the violators are labelled").isCloseTo(0.5, within(0.15));
        assertThat(pu.calibration().get(TrainedVersion.THRESHOLD)).isCloseTo(c / 2, within(1e-12));
        assertThat(pu.calibration().get(TrainedVersion.PRIOR)).as("20% violating").isCloseTo(0.2, within(0.07));
        assertThat(hiddenRecall(pu, (float) (c / 2))).as("g >= c/2 recovers the hidden violators")
                .isGreaterThan(hiddenRecall(naive, 0.5f) + 0.2);
        assertThat(auc(pu.models())).isGreaterThan(0.9);
    }

    @Test
    void spiesSetTheThresholdBelowMostHiddenPositives() {
        TrainedVersion v = new Spies(0.15, 0.9).train(input, trainer(5));
        float tau = v.calibration().get(TrainedVersion.THRESHOLD).floatValue();
        assertThat(v.calibration().get(TrainedVersion.HELD_OUT)).isGreaterThan(30);
        assertThat(hiddenRecall(v, tau)).as("hidden violators behave like the spies").isGreaterThan(0.7);
    }

    @Test
    void softLabelsEstimateThePosteriorSoItsThresholdIsOneHalf() {
        TrainedVersion v = new SoftLabels(1).train(input, trainer(5));
        assertThat(v.calibration().get(TrainedVersion.THRESHOLD)).isEqualTo(0.5);
        assertThat(hiddenRecall(v, 0.5f)).isGreaterThan(0.6);
        assertThat(v.calibration().get(TrainedVersion.PRIOR)).isCloseTo(0.2, within(0.08));
    }

    @Test
    void heldOutExemplarQuantilesAreRecordedForCrossFittedVersions() {
        TrainedVersion v = new KeptAsAcceptable().train(input, trainer(5));
        assertThat(v.calibration()).containsKeys(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF,
                TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF, TrainedVersion.EXEMPLAR_VIOLATING_Q10);
        assertThat(v.calibration().get(TrainedVersion.EXEMPLAR_VIOLATING_ABOVE_HALF))
                .isGreaterThan(v.calibration().get(TrainedVersion.EXEMPLAR_ACCEPTABLE_ABOVE_HALF));
        TrainedVersion one = new KeptAsAcceptable().train(input, trainer(1));
        assertThat(one.calibration()).as("one model has no held-out exemplars").isEmpty();
    }

    @Test
    void naiveBayesEmLearnsTheSubtleViolatorsTheConstitutionNeverShowed() {
        // The constitution shows obvious spam words only; the subtle violators share no word with it.
        NaiveBayesEm em = new NaiveBayesEm(2, false);
        TrainedVersion v0 = em.trainInitial(input.constitution(), trainer(5));
        TrainedVersion v1 = em.train(input, trainer(5));
        assertThat(auc(v1.models())).as("EM over the corpus ranks better than the constitution alone")
                .isGreaterThan(auc(v0.models()) + 0.02).isGreaterThan(0.95);
        assertThat(v1.calibration().get(TrainedVersion.PRIOR)).as("the EM prior").isBetween(0.1, 0.35);
        int[] sunk = {0};
        em.train(input, new CrossFitTrainer(SyntheticCorpus.SPEC, SyntheticCorpus.SETTINGS, 5, TrainingListener.NONE,
                (fold, k, result) -> {
                    sunk[0]++;
                    assertThat(result.model().dim()).as("served as one value per bucket").isEqualTo(1);
                }));
        assertThat(sunk[0]).isEqualTo(5);
    }

    @Test
    void policiesThatNeedHeldOutScoresRefuseOneFold() {
        assertThatThrownBy(() -> new LabelFrequency().train(input, trainer(1))).hasMessageContaining("at least 2 folds");
    }

    @Test
    void softLabelExamplesWeighEachUnlabelledDocumentByItsPosterior() {
        TrainingInput small = new TrainingInput(List.of(new TextDocument("p", "viagra")),
                List.of(new TextDocument("u1", "meeting"), new TextDocument("u2", "offer"), new TextDocument("u3", "casino")),
                List.of(new Example("lottery", true, 5f)));
        var examples = SoftLabels.examples(small, new double[] {0.0, 0.3, 1.0});
        assertThat(examples).extracting(e -> e.id() + ":" + e.example().violating() + ":" + e.example().weight())
                .containsExactly("p:true:1.0", "u1:false:1.0", "u2:true:0.3", "u2:false:0.7", "u3:true:1.0",
                        "constitution:0:true:5.0");
    }

    @Test
    void selfTrainingsSoftLabelsAverageToTheEstimatedPrior() {
        List<io.recurate.curation.train.TextDocument> docs = new java.util.ArrayList<>();
        List<Double> weights = new java.util.ArrayList<>();
        java.util.Random random = new java.util.Random(2);
        for (int i = 0; i < 1000; i++) {
            docs.add(new io.recurate.curation.train.TextDocument("d" + i, "t" + i, random.nextFloat()));
            weights.add(i < 500 ? 1.0 : 3.0);
        }
        double[] q = SelfTraining.atPrior(docs, weights, 0.12);
        double mean = 0;
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            mean += weights.get(i) * q[i];
            total += weights.get(i);
            if (i > 0 && docs.get(i).score() > docs.get(i - 1).score()) {
                assertThat(q[i]).as("the order of the scores is kept").isGreaterThan(q[i - 1]);
            }
        }
        assertThat(mean / total).isCloseTo(0.12, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void selfTrainingLeavesOutDocumentsThatAreExemplarsSoTheirHeldOutScoresStayHeldOut() {
        // The constitution's texts are also corpus documents here, as when it is drawn from the corpus.
        List<io.recurate.curation.train.TextDocument> kept = new java.util.ArrayList<>();
        for (int i = 0; i < input.constitution().size(); i++) {
            kept.add(new io.recurate.curation.train.TextDocument("doc-" + i, input.constitution().get(i).text(), 0.5f));
        }
        kept.addAll(input.unlabelled().stream().map(d -> new io.recurate.curation.train.TextDocument(d.id(), d.text(), 0.1f)).toList());
        TrainingInput withCopies = new TrainingInput(input.violating().stream()
                .map(d -> new io.recurate.curation.train.TextDocument(d.id(), d.text(), 0.9f)).toList(), kept,
                input.constitution());
        List<io.recurate.curation.train.CrossFitExample> seen = new java.util.ArrayList<>();
        new SelfTraining(true).train(withCopies, new io.recurate.curation.train.FoldLearner() {
            public int k() {
                return 5;
            }

            public FoldModels fit(List<io.recurate.curation.train.CrossFitExample> examples) {
                return fitVersion(examples);
            }

            public FoldModels fitVersion(List<io.recurate.curation.train.CrossFitExample> examples) {
                seen.addAll(examples);
                return trainer(5).fit(examples);
            }

            public String describe() {
                return "recording";
            }
        });
        java.util.Set<String> exemplarTexts = new java.util.HashSet<>();
        input.constitution().forEach(e -> exemplarTexts.add(e.text()));
        assertThat(seen).filteredOn(e -> e.id() != null && e.id().startsWith("doc-")).isEmpty();
        assertThat(seen).filteredOn(e -> e.id() != null && e.id().startsWith("constitution:")).hasSize(input.constitution().size());
    }
}
