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
        List<float[]> vectors = embedDistinct(examples);
        List<LinearHead> heads = new ArrayList<>(k);
        for (int fold = 0; fold < k; fold++) {
            List<float[]> x = new ArrayList<>();
            List<Boolean> y = new ArrayList<>();
            List<Float> w = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                CrossFitExample e = examples.get(i);
                if (e.id() == null || k == 1 || Folds.of(e.id(), k) != fold) {
                    x.add(vectors.get(i));
                    y.add(e.example().violating());
                    w.add(e.example().weight());
                }
            }
            requireBothClasses(y, fold);
            boolean[] labels = new boolean[y.size()];
            float[] weights = new float[w.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = y.get(i);
                weights[i] = w.get(i);
            }
            heads.add(LogisticHead.train(x, labels, weights, l2));
        }
        return new FoldHeads(heads);
    }

    /** One embedding per example; a text that appears twice (a soft label's two examples) is asked for once. */
    private List<float[]> embedDistinct(List<CrossFitExample> examples) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (CrossFitExample e : examples) {
            index.putIfAbsent(e.example().text(), index.size());
        }
        List<float[]> distinct = embeddings.of(new ArrayList<>(index.keySet()));
        List<float[]> out = new ArrayList<>(examples.size());
        for (CrossFitExample e : examples) {
            out.add(distinct.get(index.get(e.example().text())));
        }
        return out;
    }

    private void requireBothClasses(List<Boolean> labels, int fold) {
        long violating = labels.stream().filter(b -> b).count();
        if (violating == 0 || violating == labels.size()) {
            throw new IllegalArgumentException("Cannot train " + (k == 1 ? "the head" : "head " + fold + " of " + k)
                    + ": its data holds only " + (violating == 0 ? "acceptable" : "violating") + " examples");
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
