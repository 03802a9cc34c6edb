package io.recurate.curation.simulate;

import io.recurate.curation.policy.CurationPolicy;
import io.recurate.curation.policy.PassView;
import io.recurate.curation.policy.TrainedVersion;
import io.recurate.curation.policy.TrainingInput;
import io.recurate.curation.train.FoldModels;
import io.recurate.curation.train.TextDocument;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.Metrics;
import io.recurate.model.train.TrainerSettings;
import io.recurate.schemas.SourceMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The loop without Kafka, for measuring policies on a labelled corpus: the same policies and learners as the
 * pipeline, the same sequence (v0 from the constitution, pass, train the next version from the pass with the scoring
 * version's calibration, pass again), with documents held in memory and scored by the Java models. What
 * {@code bench loop} runs. It differs from a run through the broker in what the trainer reads: every document of the
 * pass here, a uniform sample of at most {@code --max-per-class} per class there, and in the threshold, computed on the
 * whole source here and on a sample of at most 200,000 documents there.
 */
public final class InMemoryLoop {
    private final LoopModels models;

    public InMemoryLoop(LoopModels models) {
        this.models = models;
    }

    /** The hashed n-gram model, as before there were other kinds. */
    public InMemoryLoop(FeaturizerSpec spec, TrainerSettings passSettings, TrainerSettings constitutionSettings) {
        this(LoopModels.hashed(spec, passSettings, constitutionSettings));
    }

    public List<PassResult> run(List<LabelledDocument> corpus, List<Example> constitution, CurationPolicy policy, int passes) {
        boolean[] labels = new boolean[corpus.size()];
        int corpusViolating = 0;
        for (int i = 0; i < labels.length; i++) {
            labels[i] = corpus.get(i).violating();
            corpusViolating += labels[i] ? 1 : 0;
        }
        int corpusAcceptable = corpus.size() - corpusViolating;
        TrainedVersion version = policy.training().trainInitial(constitution, models.initial(policy.folds()));
        float[] v0 = null;
        double previousRemovedShare = 0;
        List<Integer> source = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            source.add(i);
        }
        Set<Integer> removedSoFar = new HashSet<>();
        Set<Integer> removedBefore = Set.of();
        List<PassResult> results = new ArrayList<>();
        boolean nested = policy.mode() == SourceMode.NESTED;
        for (int pass = 1; pass <= passes; pass++) {
            float[] corpusScores = models.score(version.models(), corpus);
            v0 = v0 == null ? corpusScores : v0;
            float[] scores = new float[source.size()];
            boolean[] sourceLabels = new boolean[source.size()];
            for (int j = 0; j < scores.length; j++) {
                scores[j] = corpusScores[source.get(j)];
                sourceLabels[j] = labels[source.get(j)];
            }
            float tau = policy.threshold().threshold(new PassView(pass, version.calibration(), () -> scores,
                    previousRemovedShare));
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
                    violatingKept += labels[i] ? 1 : 0;
                    restored += removedBefore.contains(i) ? 1 : 0;
                }
            }
            int acceptableKept = kept.size() - violatingKept;
            double retention = corpusAcceptable == 0 ? 1 : (double) acceptableKept / corpusAcceptable;
            results.add(new PassResult(pass, tau, source.size(), kept.size(), removed.size(), restored, violatingKept,
                    acceptableKept, corpusViolating, corpusAcceptable, Metrics.rocAuc(scores, sourceLabels),
                    Metrics.rocAuc(corpusScores, labels), Retention.violatingShareAt(corpusScores, labels, 0.90),
                    Retention.violatingShareAt(corpusScores, labels, 0.95),
                    Retention.violatingShareAt(v0, labels, retention)));
            removedSoFar.addAll(removed);
            previousRemovedShare = scores.length == 0 ? 0 : (double) removed.size() / scores.length;
            removedBefore = new HashSet<>(removed);
            if (pass == passes) {
                break;
            }
            List<TextDocument> violating = new ArrayList<>();
            for (int i : nested ? removedSoFar : new HashSet<>(removed)) {
                violating.add(new TextDocument(corpus.get(i).id(), corpus.get(i).text(), corpusScores[i]));
            }
            violating.sort(Comparator.comparing(TextDocument::id));
            List<TextDocument> unlabelled = new ArrayList<>();
            for (int i : kept) {
                unlabelled.add(new TextDocument(corpus.get(i).id(), corpus.get(i).text(), corpusScores[i]));
            }
            version = policy.training().train(new TrainingInput(violating, unlabelled, constitution, version.calibration(),
                    violating.size(), unlabelled.size()), models.next(policy.folds(), version.models()));
            if (nested) {
                source = kept;
            }
        }
        return results;
    }
}
