package io.recurate.curation.train;

import io.recurate.model.bundle.Folds;
import io.recurate.model.transformer.FoldHeads;
import io.recurate.model.transformer.LinearHead;
import io.recurate.model.transformer.LogisticHead;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Learns a version as K logistic heads on a pretrained encoder's embeddings: head k from every example but the
 * documents of fold k. The encoder never changes, so a document's embedding is computed once for the whole run; the
 * heads are what each pass learns anew. A version after a pass is the mean of its fit and the previous version's heads
 * (a running ensemble across passes: each fit on pseudo-labels is noisy, and the mean of two linear heads scores the
 * mean of their logits); measured on the bench it kept every run's ranking at or above v0's where fits alone did not
 * (issue 31).
 */
public final class HeadLearner implements FoldLearner {
    private final int k;
    private final Embeddings embeddings;
    private final double l2;
    private final Consumer<FoldHeads> version;
    private final String encoder;
    private final FoldHeads previous;

    /** Embeddings of texts, in order: from a cache, a topic or the encoder itself. */
    @FunctionalInterface
    public interface Embeddings {
        List<float[]> of(List<String> texts);
    }

    /**
     * @param encoder    the encoder's name, for provenance
     * @param previous   the previous version's heads, averaged into the next version's; null for v0 (or a previous
     *                   version with another number of folds, which is not averaged)
     * @param version    receives the version's heads ({@link #fitVersion}), to write its bundle
     */
    public HeadLearner(int k, String encoder, Embeddings embeddings, double l2, FoldHeads previous,
                       Consumer<FoldHeads> version) {
        if (k < 1) {
            throw new IllegalArgumentException("Cross-fitting needs at least 1 fold, got " + k);
        }
        this.k = k;
        this.encoder = encoder;
        this.embeddings = embeddings;
        this.l2 = l2;
        this.version = version;
        this.previous = previous != null && previous.k() == k ? previous : null;
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public String describe() {
        return "logistic heads on the encoder " + encoder + (previous == null ? "" : ", averaged with the previous version's");
    }

    @Override
    public Models fit(List<CrossFitExample> examples) {
        return new Models(train(examples), embeddings);
    }

    @Override
    public Models fitVersion(List<CrossFitExample> examples) {
        FoldHeads fitted = train(examples);
        Models models = new Models(previous == null ? fitted : mean(previous, fitted), embeddings);
        version.accept(models.heads());
        return models;
    }

    private static FoldHeads mean(FoldHeads a, FoldHeads b) {
        List<LinearHead> heads = new ArrayList<>(a.k());
        for (int f = 0; f < a.k(); f++) {
            float[] wa = a.heads().get(f).weights();
            float[] wb = b.heads().get(f).weights();
            float[] w = new float[wa.length];
            for (int j = 0; j < w.length; j++) {
                w[j] = (wa[j] + wb[j]) / 2;
            }
            heads.add(new LinearHead(w, (a.heads().get(f).bias() + b.heads().get(f).bias()) / 2));
        }
        return new FoldHeads(heads);
    }

    private FoldHeads train(List<CrossFitExample> examples) {
        List<Merged> merged = merge(examples);
        List<float[]> vectors = embedDistinct(merged);
        List<LinearHead> heads = new ArrayList<>(k);
        for (int fold = 0; fold < k; fold++) {
            List<float[]> x = new ArrayList<>();
            List<Merged> own = new ArrayList<>();
            for (int i = 0; i < merged.size(); i++) {
                Merged e = merged.get(i);
                if (e.id == null || k == 1 || Folds.of(e.id, k) != fold) {
                    x.add(vectors.get(i));
                    own.add(e);
                }
            }
            requireBothClasses(own, fold);
            double[] targets = new double[own.size()];
            float[] weights = new float[own.size()];
            for (int i = 0; i < targets.length; i++) {
                targets[i] = own.get(i).violatingWeight / own.get(i).weight;
                weights[i] = (float) own.get(i).weight;
            }
            heads.add(LogisticHead.train(x, targets, weights, l2));
        }
        return new FoldHeads(heads);
    }

    /** One document's examples: its total weight and the part of it that says violating (a soft label's two). */
    private static final class Merged {
        final String id;
        final String text;
        double weight;
        double violatingWeight;

        Merged(String id, String text) {
            this.id = id;
            this.text = text;
        }
    }

    /**
     * The examples of one document (same id and text) as one example whose target is the violating share of their
     * weight: the logistic loss is the same, for half the work when every document trains both classes.
     */
    private static List<Merged> merge(List<CrossFitExample> examples) {
        Map<List<String>, Merged> byDocument = new LinkedHashMap<>();
        for (CrossFitExample e : examples) {
            Merged m = byDocument.computeIfAbsent(java.util.Arrays.asList(e.id(), e.example().text()),
                    key -> new Merged(e.id(), e.example().text()));
            m.weight += e.example().weight();
            m.violatingWeight += e.example().violating() ? e.example().weight() : 0;
        }
        return new ArrayList<>(byDocument.values());
    }

    /** One embedding per example; a text that appears twice (a document that is also an exemplar) is asked for once. */
    private List<float[]> embedDistinct(List<Merged> examples) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (Merged e : examples) {
            index.putIfAbsent(e.text, index.size());
        }
        List<float[]> distinct = embeddings.of(new ArrayList<>(index.keySet()));
        List<float[]> out = new ArrayList<>(examples.size());
        for (Merged e : examples) {
            out.add(distinct.get(index.get(e.text)));
        }
        return out;
    }

    /** Both classes must carry weight, or the head has nothing to separate. */
    private void requireBothClasses(List<Merged> examples, int fold) {
        double violating = examples.stream().mapToDouble(e -> e.violatingWeight).sum();
        double all = examples.stream().mapToDouble(e -> e.weight).sum();
        if (violating <= 0 || violating >= all) {
            throw new IllegalArgumentException("Cannot train " + (k == 1 ? "the head" : "head " + fold + " of " + k)
                    + ": its data holds only " + (violating <= 0 ? "acceptable" : "violating") + " examples");
        }
    }

    /** A version's heads, scoring each document by its fold's head. */
    public record Models(FoldHeads heads, Embeddings embeddings) implements FoldModels {
        @Override
        public int k() {
            return heads.k();
        }

        @Override
        public float score(String id, String text) {
            return heads.of(id).score(embeddings.of(List.of(text)).get(0));
        }

        /** Scores of many documents, their embeddings asked for in one call. */
        public float[] scores(List<String> ids, List<String> texts) {
            List<float[]> vectors = embeddings.of(texts);
            float[] out = new float[ids.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = heads.of(ids.get(i)).score(vectors.get(i));
            }
            return out;
        }
    }
}
