package io.recurate.model.bundle;

import io.recurate.model.featurize.MurmurHash3;
import java.nio.charset.StandardCharsets;

/**
 * Cross-fitting's fold of a document: a stable hash of its id, the same in the trainer that leaves a
 * fold out of a model and in the scorer that routes the document to the model that never saw it, on
 * every machine and in every replay.
 */
public final class Folds {
    /** Seed of the fold hash; part of the bundle format (changing it would change every routing). */
    public static final int SEED = 0x5EEDF01D;

    private Folds() {
    }

    /** The fold of {@code id} among {@code k} (0 when k is 1). */
    public static int of(String id, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("The number of folds must be at least 1, got " + k);
        }
        if (k == 1) {
            return 0;
        }
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        return Math.floorMod(MurmurHash3.hash32(bytes, 0, bytes.length, SEED), k);
    }
}
