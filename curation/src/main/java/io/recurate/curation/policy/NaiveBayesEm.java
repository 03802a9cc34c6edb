package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitModels;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.bundle.Folds;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.FoldedModel;
import io.recurate.model.train.LinearModel;
import io.recurate.model.train.NaiveBayes;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainingListener;
import io.recurate.model.train.TrainingReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Semi-supervised naive Bayes by EM (Nigam, McCallum, Thrun and Mitchell, 2000, "Text classification from
 * labeled and unlabeled documents using EM"), cross-fitted. The constitution's exemplars are the only
 * fixed labels; every corpus document of the pass is unlabelled and carries a posterior P(violating | x),
 * started from the score the pass gave it. Each round counts the documents' hashed n-grams into each fold
 * model with weights p and 1 − p (M step), then gives every document the posterior of the fold model that
 * did not count it, with the class prior re-estimated as the mean posterior (E step). Words that co-occur
 * with the exemplars' violations in the corpus become evidence of their own, which is how the loop learns
 * more than its 40 exemplars say.
 *
 * <p>The served score is the mean of the per-n-gram log-likelihood ratios over a document (a ranking that
 * does not grow with length; the summed ratio, which the E step uses, ranks far worse), turned into a
 * probability by Platt scaling on the exemplars' held-out scores.
 */
public final class NaiveBayesEm implements TrainingPolicy {
    /** Laplace smoothing of the n-gram counts. */
    static final double ALPHA = 1.0;
    private final int rounds;
    private final boolean softStart;

    /**
     * @param rounds    EM rounds per version (at least 1)
     * @param softStart start from the scores the pass gave (true) or from its decisions, removed 1 and kept 0
     */
    public NaiveBayesEm(int rounds, boolean softStart) {
        if (rounds < 1) {
            throw new IllegalArgumentException("EM needs at least one round, got " + rounds);
        }
        this.rounds = rounds;
        this.softStart = softStart;
    }

    @Override
    public String name() {
        return "naive-bayes-em";
    }

    /** One featurized document or exemplar: its fold, ids, weight and current posterior. */
    private static final class Doc {
        final int fold;
        final int[] ids;
        final double weight;
        double posterior;

        Doc(int fold, int[] ids, double posterior, double weight) {
            this.fold = fold;
            this.ids = ids;
            this.posterior = posterior;
            this.weight = weight;
        }
    }

    @Override
    public TrainedVersion trainInitial(List<Example> constitution, FoldLearner learner) {
        CrossFitTrainer trainer = CrossFitTrainer.required(learner, name());
        TrainingListener listener = trainer.listener();
        CrossFitTrainer.FoldSink sink = trainer.sink();
        Featurizer featurizer = new Featurizer(trainer.spec());
        int k = trainer.k();
        List<Doc> exemplars = exemplars(constitution, featurizer, k);
        List<float[]> tables = tables(List.of(), exemplars, trainer.spec(), k);
        Platt platt = exemplarPlatt(tables, exemplars, k);
        CrossFitModels models = publish(tables, platt, trainer.spec(), constitution.size(), listener, sink);
        return TrainedVersion.of(models, constitution, Map.of(TrainedVersion.THRESHOLD, 0.5));
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        CrossFitTrainer trainer = CrossFitTrainer.required(learner, name());
        TrainingListener listener = trainer.listener();
        CrossFitTrainer.FoldSink sink = trainer.sink();
        FeaturizerSpec spec = trainer.spec();
        Featurizer featurizer = new Featurizer(spec);
        int k = trainer.k();
        List<Doc> docs = new ArrayList<>();
        for (TextDocument d : input.violating()) {
            docs.add(new Doc(Folds.of(d.id(), k), featurizer.ids(d.text()), softStart ? start(d.score(), 1.0) : 1.0, 1));
        }
        for (TextDocument d : input.unlabelled()) {
            docs.add(new Doc(Folds.of(d.id(), k), featurizer.ids(d.text()), softStart ? start(d.score(), 0.0) : 0.0, 1));
        }
        listener.examplesRead(docs.size());
        List<Doc> exemplars = exemplars(input.constitution(), featurizer, k);
        double prior = meanPosterior(docs);
        List<float[]> tables = null;
        for (int round = 1; round <= rounds; round++) {
            tables = tables(docs, exemplars, spec, k);
            double logPriorRatio = Math.log(clamp(prior) / (1 - clamp(prior)));
            for (int i = 0; i < docs.size(); i++) {
                Doc d = docs.get(i);
                float[] table = tables.get(k == 1 ? 0 : d.fold);
                d.posterior = 1 / (1 + Math.exp(-(NaiveBayes.sumScore(table, d.ids) + logPriorRatio)));
            }
            prior = meanPosterior(docs);
        }
        Platt platt = exemplarPlatt(tables, exemplars, k);
        CrossFitModels models = publish(tables, platt, spec, docs.size() + exemplars.size(), listener, sink);
        Map<String, Double> calibration = new HashMap<>();
        calibration.put(TrainedVersion.THRESHOLD, 0.5);
        calibration.put(TrainedVersion.PRIOR, prior);
        calibration.put("calibration.platt_a", platt.a());
        calibration.put("calibration.platt_b", platt.b());
        return TrainedVersion.of(models, input.constitution(), calibration);
    }

    /**
     * The probability a version serves: Platt scaling of the mean log-likelihood ratio, fitted on the
     * exemplars' held-out scores (the only labels there are; with Platt's smoothed targets a few dozen of them
     * give a moderate slope, so scores do not saturate at 0 or 1 and keep their ranking in float).
     */
    private static Platt exemplarPlatt(List<float[]> tables, List<Doc> exemplars, int k) {
        double[] x = new double[exemplars.size()];
        boolean[] y = new boolean[exemplars.size()];
        for (int i = 0; i < x.length; i++) {
            Doc e = exemplars.get(i);
            x[i] = NaiveBayes.meanScore(tables.get(k == 1 ? 0 : e.fold), e.ids);
            y[i] = e.posterior > 0.5;
        }
        return Platt.fitLabels(x, y);
    }

    /** The posterior a document starts EM with: the score its pass gave it, else its side of the threshold. */
    private static double start(float score, double side) {
        return Float.isNaN(score) ? side : Math.min(1, Math.max(0, score));
    }

    private static double meanPosterior(List<Doc> docs) {
        return docs.stream().mapToDouble(d -> d.posterior).average().orElse(0.5);
    }

    private static double clamp(double p) {
        return Math.min(0.99, Math.max(0.01, p));
    }

    /** Exemplars with their fold and their fixed label (posterior 0 or 1), weighted as the constitution says. */
    private static List<Doc> exemplars(List<Example> constitution, Featurizer featurizer, int k) {
        List<Doc> out = new ArrayList<>();
        for (int i = 0; i < constitution.size(); i++) {
            Example e = constitution.get(i);
            out.add(new Doc(Folds.of(Exemplars.id(i), k), featurizer.ids(e.text()), e.violating() ? 1 : 0, e.weight()));
        }
        return out;
    }

    /**
     * The per-fold log-likelihood ratio tables: fold f counts every document and exemplar but those of fold
     * f (the total, minus the fold's own; one copy of the counts alive at a time).
     */
    private static List<float[]> tables(List<Doc> docs, List<Doc> exemplars, FeaturizerSpec spec, int k) {
        List<Doc> all = new ArrayList<>(docs);
        all.addAll(exemplars);
        NaiveBayes total = new NaiveBayes(spec);
        for (Doc d : all) {
            total.add(d.ids, d.weight * d.posterior, d.weight * (1 - d.posterior));
        }
        if (k == 1) {
            return List.of(total.logRatios(ALPHA));
        }
        List<float[]> tables = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            NaiveBayes rest = total.copy();
            for (Doc d : all) {
                if (d.fold == f) {
                    rest.add(d.ids, -d.weight * d.posterior, -d.weight * (1 - d.posterior));
                }
            }
            tables.add(rest.logRatios(ALPHA));
        }
        return tables;
    }

    /** The fold tables as served models (dim 1, scaled and shifted by Platt), each handed to the sink. */
    private static CrossFitModels publish(List<float[]> tables, Platt platt, FeaturizerSpec spec, long examples,
                                          TrainingListener listener, CrossFitTrainer.FoldSink sink) {
        List<FoldedModel> folded = new ArrayList<>();
        for (int f = 0; f < tables.size(); f++) {
            LinearModel model = LinearModel.ofRows(spec, tables.get(f), (float) platt.a(), (float) platt.b());
            TrainingReport report = new TrainingReport(examples, 0, 0, 0, 1, 1, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, 0, 0, 1);
            listener.epochFinished(new TrainingListener.EpochStats(1, Double.NaN, Double.NaN, Double.NaN));
            sink.accept(f, tables.size(), new Trainer.Result(model, report));
            folded.add(model.fold());
        }
        return new CrossFitModels(folded);
    }
}
