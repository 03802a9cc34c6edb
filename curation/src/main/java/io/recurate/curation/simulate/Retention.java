package io.recurate.curation.simulate;

import java.util.Arrays;
import java.util.Comparator;

/** Reading a ranking at a benign retention: what a single cut of these scores would keep. */
public final class Retention {
    private Retention() {
    }

    /**
     * The violating share of what a single cut of {@code scores} keeps when it keeps (at least) {@code retention} of
     * the acceptable documents: the lowest-scoring documents kept first, until that many acceptable ones are in.
     */
    public static double violatingShareAt(float[] scores, boolean[] violating, double retention) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        long acceptable = 0;
        for (boolean v : violating) {
            acceptable += v ? 0 : 1;
        }
        long needed = (long) Math.ceil(retention * acceptable - 1e-9);
        long keptAcceptable = 0;
        long keptViolating = 0;
        for (int k = 0; k < order.length && keptAcceptable < needed; k++) {
            if (violating[order[k]]) {
                keptViolating++;
            } else {
                keptAcceptable++;
            }
        }
        long kept = keptAcceptable + keptViolating;
        return kept == 0 ? 0 : (double) keptViolating / kept;
    }
}
