package io.recurate.curation.train;

import io.recurate.model.train.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * The constitution as cross-fitted examples: each exemplar has an id of its own (by position), so it
 * falls in one fold and every fold model but one trains on it. The one that does not gives it a
 * held-out score: with exemplars drawn from the corpus's kind of text, those scores say where the
 * corpus's violators and acceptable documents lie.
 */
public final class Exemplars {
    private static final String PREFIX = "constitution:";

    private Exemplars() {
    }

    public static String id(int index) {
        return PREFIX + index;
    }

    public static List<CrossFitExample> crossFitted(List<Example> constitution) {
        List<CrossFitExample> out = new ArrayList<>(constitution.size());
        for (int i = 0; i < constitution.size(); i++) {
            out.add(new CrossFitExample(id(i), constitution.get(i)));
        }
        return out;
    }

    /** Held-out scores of the exemplars of one class. */
    public static float[] heldOutScores(FoldModels models, List<Example> constitution, boolean violating) {
        List<Float> scores = new ArrayList<>();
        for (int i = 0; i < constitution.size(); i++) {
            Example e = constitution.get(i);
            if (e.violating() == violating) {
                scores.add(models.score(id(i), e.text()));
            }
        }
        float[] out = new float[scores.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores.get(i);
        }
        return out;
    }
}
