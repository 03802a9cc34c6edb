package io.recurate.curation.simulate;

import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.policy.TrainedVersion;
import io.recurate.curation.policy.TrainingInput;
import io.recurate.curation.train.CrossFitModels;
import io.recurate.curation.train.CrossFitTrainer;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loop without Kafka, for measuring policies on a labelled corpus: the same policies, trainer and
 * featurizer as the pipeline, the same sequence (v0 from the constitution, pass, train the next version
 * from the pass, pass again), with documents held in memory and scored by the Java models. What
 * {@code bench loop} runs for every policy; a run through the broker decides the same way.
 */
public final class InMemoryLoop {
    private final FeaturizerSpec spec;
    private final TrainerSettings passSettings;
    private final TrainerSettings constitutionSettings;

    public InMemoryLoop(FeaturizerSpec spec, TrainerSettings passSettings, TrainerSettings constitutionSettings) {
        this.spec = spec;
        this.passSettings = passSettings;
        this.constitutionSettings = constitutionSettings;
    }

    public List<PassResult> run(List<LabelledDocument> corpus, List<Example> constitution, CurationPolicy policy, int passes) {
        Featurizer featurizer = new Featurizer(spec);
        int[][] ids = new int[corpus.size()][];
        int corpusViolating = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = featurizer.ids(corpus.get(i).text());
            corpusViolating += corpus.get(i).violating() ? 1 : 0;
        }
        int corpusAcceptable = corpus.size() - corpusViolating;
        List<Example> exemplars = constitution;
        TrainedVersion v0 = policy.training().trainInitial(exemplars, new CrossFitTrainer(spec, constitutionSettings,
                policy.folds()), TrainingListener.NONE, CrossFitTrainer.FoldSink.NONE);
        CrossFitModels version = v0.models();
        Map<String, Double> calibration = v0.calibration();
        double previousRemovedShare = 0;
        List<Integer> source = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            source.add(i);
        }
        Set<Integer> removedSoFar = new HashSet<>();
        java.util.Map<Integer, Float> lastScore = new java.util.HashMap<>();
        Set<Integer> removedBefore = Set.of();
        List<PassResult> results = new ArrayList<>();
        for (int pass = 1; pass <= passes; pass++) {
            float[] scores = new float[source.size()];
            for (int j = 0; j < scores.length; j++) {
                int i = source.get(j);
                scores[j] = version.score(corpus.get(i).id(), ids[i]);
            }
            float tau = policy.threshold().threshold(new io.recurate.curation.policy.PassView(pass, calibration, () -> scores, previousRemovedShare));
            for (int j = 0; j < scores.length; j++) {
                if (!lastScore.containsKey(source.get(j)) || policy.mode() == io.recurate.schemas.SourceMode.FULL) {
                    lastScore.put(source.get(j), scores[j]);
                }
            }
            List<Integer> kept = new ArrayList<>();
            List<Integer> removed = new ArrayList<>();
            int violatingKept = 0;
            int restored = 0;
            for (int j = 0; j < scores.length; j++) {
                int i = source.get(j);
                if (scores[j] >= tau) {
                    removed.add(i);
                } else {
                    kept.add(i);
                    violatingKept += corpus.get(i).violating() ? 1 : 0;
                    restored += removedBefore.contains(i) ? 1 : 0;
                }
            }
            boolean[] labels = new boolean[scores.length];
            for (int j = 0; j < scores.length; j++) {
                labels[j] = corpus.get(source.get(j)).violating();
            }
            results.add(new PassResult(pass, tau, source.size(), kept.size(), removed.size(), restored, violatingKept,
                    kept.size() - violatingKept, corpusViolating, corpusAcceptable,
                    io.recurate.model.train.Metrics.rocAuc(scores, labels)));
            removedSoFar.addAll(removed);
            previousRemovedShare = scores.length == 0 ? 0 : (double) removed.size() / scores.length;
            removedBefore = new HashSet<>(removed);
            if (pass == passes) {
                break;
            }
            boolean nested = policy.mode() == io.recurate.schemas.SourceMode.NESTED;
            java.util.Map<Integer, Float> scoreOf = new java.util.HashMap<>();
            for (int j = 0; j < scores.length; j++) {
                scoreOf.put(source.get(j), scores[j]);
            }
            List<TextDocument> violating = new ArrayList<>();
            for (int i : nested ? removedSoFar : new HashSet<>(removed)) {
                violating.add(new TextDocument(corpus.get(i).id(), corpus.get(i).text(), lastScore.getOrDefault(i, scoreOf.getOrDefault(i, Float.NaN))));
            }
            List<TextDocument> unlabelled = new ArrayList<>();
            for (int i : kept) {
                unlabelled.add(new TextDocument(corpus.get(i).id(), corpus.get(i).text(), scoreOf.get(i)));
            }
            violating.sort(java.util.Comparator.comparing(TextDocument::id));
            TrainedVersion next = policy.training().train(new TrainingInput(violating, unlabelled, exemplars),
                    new CrossFitTrainer(spec, passSettings, policy.folds()), TrainingListener.NONE, CrossFitTrainer.FoldSink.NONE);
            version = next.models();
            calibration = next.calibration();
            if (nested) {
                source = kept;
            }
        }
        return results;
    }
}
