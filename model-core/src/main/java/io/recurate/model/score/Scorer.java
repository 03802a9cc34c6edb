package io.recurate.model.score;

import java.util.List;

/** Scores texts: violation probability in [0, 1] per text, in input order. */
public interface Scorer extends AutoCloseable {
    float[] score(List<String> texts);

    /**
     * Scores documents by id and text. A cross-fitted version routes each document to the fold model that
     * never trained on it; a single model ignores the ids.
     */
    default float[] score(List<String> ids, List<String> texts) {
        return score(texts);
    }

    /** Where scoring runs, e.g. "cpu", "cuda:0" or "java". */
    String device();

    @Override
    void close();
}
