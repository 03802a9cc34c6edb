package io.recurate.curation.policy;

import io.recurate.curation.train.CrossFitExample;
import io.recurate.curation.train.Exemplars;
import io.recurate.curation.train.FoldLearner;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.train.Example;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Self-training at the estimated prior: the pass's documents are labelled by the scores the pass gave them (held out:
 * each from the fold model that never trained on it) so that a share π̂ of them is violating, where π̂ is the violating
 * share the scoring version estimates ({@link PriorEstimate}); the next version learns those labels and the
 * constitution's exemplars. Soft (the default): each document is violating with the probability q = σ(logit(s) + b),
 * b chosen so that the mean q is π̂ (the scores' odds moved to the estimated prior, as Saerens, Latinne and
 * Decaestecker, 2002, adjust a classifier to new priors), and trains both classes with weights q and 1 − q. Hard: the
 * highest-scoring π̂ of them violating, the rest acceptable. The labels are decoupled from the pass's cut: a pass may
 * remove more or less than π̂ (its threshold rule decides), the next model still learns a class balance close to the
 * corpus's. Learning the cut instead (kept as acceptable after a pass that removed less than π̂) teaches the next
 * model that the violators it missed are acceptable, and the ranking falls pass after pass (measured, issue 31).
 * Works with any {@link FoldLearner}: the hashed n-gram model or an encoder's heads.
 */
public final class SelfTraining implements TrainingPolicy {
    /** Probabilities this close to 0 or 1 are taken as hard labels (one example instead of two). */
    private static final double HARD = 1e-3;
    private final boolean soft;

    /** @param soft soft labels (the probability at the estimated prior) rather than the top π̂ share */
    public SelfTraining(boolean soft) {
        this.soft = soft;
    }

    @Override
    public String name() {
        return soft ? "self-train" : "self-train-hard";
    }

    @Override
    public TrainedVersion train(TrainingInput input, FoldLearner learner) {
        LabelFrequency.requireFolds(learner, name());
        // A document that is also an exemplar (a constitution drawn from the corpus) trains as the exemplar only: as a
        // document of another fold it would reach the fold model that must hold the exemplar out, and the exemplars'
        // held-out scores, which the prior estimate and the benign guard read, would no longer be held out.
        java.util.Set<String> exemplars = new java.util.HashSet<>();
        input.constitution().forEach(e -> exemplars.add(e.text()));
        List<TextDocument> docs = new ArrayList<>(input.violating().size() + input.unlabelled().size());
        List<Double> weights = new ArrayList<>();
        for (TextDocument d : input.violating()) {
            if (!exemplars.contains(d.text())) {
                docs.add(d);
                weights.add(input.violatingWeight());
            }
        }
        for (TextDocument d : input.unlabelled()) {
            if (!exemplars.contains(d.text())) {
                docs.add(d);
                weights.add(input.unlabelledWeight());
            }
        }
        double total = weights.stream().mapToDouble(Double::doubleValue).sum();
        boolean scored = !docs.isEmpty() && docs.stream().noneMatch(d -> Float.isNaN(d.score()));
        double removedShare = total == 0 ? 0 : Math.min(1, input.violating().size() * input.violatingWeight() / total);
        PriorEstimate fallback = new PriorEstimate(removedShare, removedShare, removedShare);
        PriorEstimate prior = fallback;
        if (scored) {
            float[] scores = new float[docs.size()];
            double[] w = new double[docs.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = docs.get(i).score();
                w[i] = weights.get(i);
            }
            prior = PriorEstimate.of(scores, w, input.calibration()).orElse(fallback);
        }
        double[] probability = soft && scored ? atPrior(docs, weights, prior.value())
                : hard(label(docs, weights, prior.value(), scored, input.violating().size()));
        List<CrossFitExample> examples = new ArrayList<>(2 * docs.size() + input.constitution().size());
        double meanWeight = total / Math.max(1, docs.size());
        for (int i = 0; i < docs.size(); i++) {
            double w = weights.get(i) / meanWeight;
            double q = probability[i];
            if (q > HARD) {
                examples.add(new CrossFitExample(docs.get(i).id(), new Example(docs.get(i).text(), true, (float) (w * q))));
            }
            if (q < 1 - HARD) {
                examples.add(new CrossFitExample(docs.get(i).id(), new Example(docs.get(i).text(), false,
                        (float) (w * (1 - q)))));
            }
        }
        examples.addAll(Exemplars.crossFitted(input.constitution()));
        FoldModels models = learner.fitVersion(examples);
        Map<String, Double> calibration = new HashMap<>();
        calibration.put(TrainedVersion.PRIOR, prior.value());
        calibration.put(TrainedVersion.PRIOR_LOW, prior.low());
        calibration.put(TrainedVersion.PRIOR_HIGH, prior.high());
        return TrainedVersion.of(models, input.constitution(), calibration);
    }

    /** σ(logit(s) + b) per document, with b such that their weighted mean is {@code prior} (bisection on b). */
    static double[] atPrior(List<TextDocument> docs, List<Double> weights, double prior) {
        double[] logits = new double[docs.size()];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            double s = Math.min(1 - 1e-7, Math.max(1e-7, docs.get(i).score()));
            logits[i] = Math.log(s / (1 - s));
            total += weights.get(i);
        }
        double lo = -40;
        double hi = 40;
        for (int iteration = 0; iteration < 100; iteration++) {
            double b = (lo + hi) / 2;
            double mean = 0;
            for (int i = 0; i < logits.length; i++) {
                mean += weights.get(i) * sigmoid(logits[i] + b);
            }
            if (mean / total > prior) {
                hi = b;
            } else {
                lo = b;
            }
        }
        double b = (lo + hi) / 2;
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sigmoid(logits[i] + b);
        }
        return out;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double[] hard(boolean[] labels) {
        double[] out = new double[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i] ? 1 : 0;
        }
        return out;
    }

    /**
     * The highest-scoring {@code share} of the documents (by weight) labelled violating; without scores (a pass of a
     * build before scores were kept) the pass's own decisions, the first {@code removed} documents.
     */
    static boolean[] label(List<TextDocument> docs, List<Double> weights, double share, boolean scored, int removed) {
        boolean[] out = new boolean[docs.size()];
        if (!scored) {
            for (int i = 0; i < removed; i++) {
                out[i] = true;
            }
            return out;
        }
        Integer[] order = new Integer[docs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Highest score first; ties broken by id so that a replayed training labels the same documents.
        java.util.Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -docs.get(i).score())
                .thenComparing(i -> docs.get(i).id()));
        double total = weights.stream().mapToDouble(Double::doubleValue).sum();
        double labelled = 0;
        for (int i : order) {
            if (labelled + weights.get(i) / 2 > share * total) {
                break;
            }
            out[i] = true;
            labelled += weights.get(i);
        }
        return out;
    }
}
