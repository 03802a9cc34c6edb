package io.recurate.model.transformer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * How an encoder's token states ([batch, tokens, dim], e.g. {@code last_hidden_state}) become one vector per text, the
 * way sentence-transformers pools them. {@link #NONE}: the graph's output is already one vector per text
 * ([batch, dim], e.g. {@code sentence_embedding}, or a classifier's logits).
 */
public enum Pooling {
    NONE, MEAN, CLS, MAX;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Pooling of(String id) {
        if (id == null || id.isBlank()) {
            return NONE;
        }
        for (Pooling p : values()) {
            if (p.id().equalsIgnoreCase(id.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("pooling '" + id + "' is not one of "
                + Arrays.stream(values()).map(Pooling::id).toList());
    }

    /**
     * Pools one text's token states.
     *
     * @param states the call's output, row-major [rows, length, dim]
     * @param row    which text
     * @param tokens the text's real tokens (the rest of the row is padding, masked out)
     */
    float[] pool(float[] states, int row, int length, int dim, int tokens) {
        float[] out = new float[dim];
        int base = row * length * dim;
        switch (this) {
            case CLS -> System.arraycopy(states, base, out, 0, dim);
            case MEAN -> {
                // Summed in double: a mean over 512 tokens in float loses bits a probe check would notice.
                double[] sum = new double[dim];
                for (int t = 0; t < tokens; t++) {
                    int at = base + t * dim;
                    for (int d = 0; d < dim; d++) {
                        sum[d] += states[at + d];
                    }
                }
                for (int d = 0; d < dim; d++) {
                    out[d] = (float) (sum[d] / Math.max(1, tokens));
                }
            }
            case MAX -> {
                Arrays.fill(out, Float.NEGATIVE_INFINITY);
                for (int t = 0; t < tokens; t++) {
                    int at = base + t * dim;
                    for (int d = 0; d < dim; d++) {
                        out[d] = Math.max(out[d], states[at + d]);
                    }
                }
            }
            case NONE -> throw new IllegalStateException("NONE pools nothing: the output is one row per text");
        }
        return out;
    }

    /** Scales {@code v} to unit length in place (a zero vector stays zero), as sentence-transformers' Normalize. */
    static void normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / norm);
            }
        }
    }
}
