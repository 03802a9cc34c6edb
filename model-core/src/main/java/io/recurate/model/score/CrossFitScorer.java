package io.recurate.model.score;

import io.recurate.model.bundle.Folds;
import java.util.ArrayList;
import java.util.List;

/**
 * A cross-fitted version: K fold scorers, each document scored by the one of its fold ({@link Folds}),
 * which never trained on it. Documents of a batch are grouped by fold, so each fold model still sees
 * batches.
 */
public final class CrossFitScorer implements Scorer {
    private final List<? extends Scorer> folds;

    public CrossFitScorer(List<? extends Scorer> folds) {
        if (folds.isEmpty()) {
            throw new IllegalArgumentException("A cross-fitted version needs at least one fold model");
        }
        this.folds = List.copyOf(folds);
    }

    public int k() {
        return folds.size();
    }

    /** Without ids there is no fold to route by: a text alone is scored by fold 0 (used for probes). */
    @Override
    public float[] score(List<String> texts) {
        return folds.get(0).score(texts);
    }

    @Override
    public float[] score(List<String> ids, List<String> texts) {
        if (ids.size() != texts.size()) {
            throw new IllegalArgumentException(ids.size() + " ids for " + texts.size() + " texts");
        }
        int k = folds.size();
        List<List<Integer>> members = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < ids.size(); i++) {
            members.get(Folds.of(ids.get(i), k)).add(i);
        }
        float[] out = new float[texts.size()];
        for (int f = 0; f < k; f++) {
            List<Integer> idx = members.get(f);
            if (idx.isEmpty()) {
                continue;
            }
            List<String> batch = new ArrayList<>(idx.size());
            idx.forEach(i -> batch.add(texts.get(i)));
            float[] scores = folds.get(f).score(batch);
            for (int j = 0; j < scores.length; j++) {
                out[idx.get(j)] = scores[j];
            }
        }
        return out;
    }

    @Override
    public String device() {
        return folds.get(0).device();
    }

    @Override
    public void close() {
        folds.forEach(Scorer::close);
    }
}
