package io.recurate.curation.loop;

import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.curation.simulate.SupervisedCeiling;
import io.recurate.model.data.Reservoir;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.TrainerSettings;
import io.recurate.schemas.Document;
import io.recurate.topics.RecurateTopics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * The end of a labelled run in words: the violating share kept and the benign retention after the last
 * pass, against pass 1, against **v0's scores cut once at the same benign retention** (did iterating beat filtering
 * once?), and against the supervised ceiling (the built-in SGD model trained on the gold labels, 5-fold cross-validated
 * on up to 20,000 labelled documents of the corpus, read at the same retention), as {@code bench loop} reads them.
 */
public final class CeilingSummary {
    private static final int SAMPLE = 20_000;

    private CeilingSummary() {
    }

    /** Pass 1 scored every document with v0 (its source is the corpus in either mode): its scores, cut once. */
    private static double v0CutOnce(Map<String, Object> kafka, RecurateTopics topics, GoldLabels labels, double retention) {
        List<Float> scores = new java.util.ArrayList<>();
        List<Boolean> violating = new java.util.ArrayList<>();
        java.util.function.Consumer<io.recurate.schemas.ScoredDocument> add = d -> {
            Boolean v = labels.violating(d.getDocument().getMetadata());
            if (v != null) {
                scores.add(d.getScore());
                violating.add(v);
            }
        };
        LoopRunner.read(kafka, topics.kept(1).name(), topics.kept(1).valueSerde().deserializer(), add);
        LoopRunner.read(kafka, topics.removed(1).name(), topics.removed(1).valueSerde().deserializer(), add);
        float[] s = new float[scores.size()];
        boolean[] y = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
            y[i] = violating.get(i);
        }
        return io.recurate.curation.simulate.Retention.violatingShareAt(s, y, retention);
    }

    public static void print(PrintWriter out, List<PassReport> reports, long corpusAcceptable, Map<String, Object> kafka,
                             RecurateTopics topics, GoldLabels labels, FeaturizerSpec spec, TrainerSettings settings) {
        if (reports.isEmpty() || !reports.get(0).labelled() || corpusAcceptable == 0) {
            return;
        }
        Reservoir<LabelledDocument> reservoir = new Reservoir<>(SAMPLE, 23);
        LoopRunner.read(kafka, topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            Boolean violating = labels.violating(d.getMetadata());
            if (violating != null) {
                reservoir.offer(new LabelledDocument(d.getId(), d.getText(), violating));
            }
        });
        List<LabelledDocument> sample = reservoir.items();
        long violating = sample.stream().filter(LabelledDocument::violating).count();
        if (violating == 0 || violating == sample.size()) {
            return;
        }
        SupervisedCeiling ceiling = SupervisedCeiling.train(sample, spec, settings, 5);
        PassReport first = reports.get(0);
        PassReport last = reports.get(reports.size() - 1);
        double firstRetention = (double) first.acceptableKept() / corpusAcceptable;
        double lastRetention = (double) last.acceptableKept() / corpusAcceptable;
        double firstGap = first.violatingInKept() - ceiling.violatingShareAt(firstRetention);
        double lastCeiling = ceiling.violatingShareAt(lastRetention);
        double lastGap = last.violatingInKept() - lastCeiling;
        out.printf("Violating share kept: %.2f%% after pass %d (pass 1: %.2f%%), benign retention %.2f%% (pass 1: %.2f%%).%n",
                100 * last.violatingInKept(), last.pass(), 100 * first.violatingInKept(), 100 * lastRetention,
                100 * firstRetention);
        if (reports.size() > 1) {
            double once = v0CutOnce(kafka, topics, labels, lastRetention);
            out.printf("v0's scores cut once at the same %.2f%% retention keep %.2f%% violating: iterating %s filtering once "
                    + "(%+.2f points).%n", 100 * lastRetention, 100 * once,
                    last.violatingInKept() < once ? "beat" : "did not beat", 100 * (last.violatingInKept() - once));
        }
        out.printf("Supervised ceiling (the built-in SGD model trained on the gold labels, 5-fold cross-validation on %d "
                        + "documents) at %.2f%% retention: %.2f%%; gap %.2f points after pass %d, %.2f after pass 1.%n",
                sample.size(), 100 * lastRetention, 100 * lastCeiling, 100 * lastGap, last.pass(), 100 * firstGap);
        if (reports.size() > 1) {
            PassReport before = reports.get(reports.size() - 2);
            out.println(last.violatingInKept() < before.violatingInKept()
                    ? "The last pass still lowered the violating share: more passes may help."
                    : "The last pass did not lower the violating share.");
        }
        out.flush();
    }
}
