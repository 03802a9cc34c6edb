package io.recurate.model.score;

import java.util.List;

/** Scores texts: violation probability in [0, 1] per text, in input order. */
public interface Scorer extends AutoCloseable {
    float[] score(List<String> texts);

    /** Where scoring runs, e.g. "cpu", "cuda:0" or "java". */
    String device();

    @Override
    void close();
}
