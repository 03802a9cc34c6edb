package io.recurate.model.data;

import java.util.Locale;

/** The two labels of recurate's corpora and constitutions. */
public final class Label {
    public static final String ACCEPTABLE = "acceptable";
    public static final String VIOLATING = "violating";

    private Label() {
    }

    /**
     * The one label rule, wherever a label is read (constitutions, labelled data, gold labels of a corpus): TRUE for
     * "violating", FALSE for "acceptable", in any case and with spaces around; null for anything else or nothing.
     */
    public static Boolean parse(String label) {
        if (label == null) {
            return null;
        }
        String l = label.trim().toLowerCase(Locale.ROOT);
        if (l.equals(VIOLATING)) {
            return Boolean.TRUE;
        }
        return l.equals(ACCEPTABLE) ? Boolean.FALSE : null;
    }

    /** true for "violating", false for "acceptable" ({@link #parse}); anything else is an error naming both. */
    public static boolean isViolating(String label) {
        Boolean parsed = parse(label);
        if (parsed != null) {
            return parsed;
        }
        throw new IllegalArgumentException("unknown label '" + label + "' (expected '" + ACCEPTABLE + "' or '"
                + VIOLATING + "')");
    }
}
