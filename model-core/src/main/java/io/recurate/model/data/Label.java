package io.recurate.model.data;

import java.util.Locale;

/** The two labels of recurate's corpora and constitutions. */
public final class Label {
    public static final String ACCEPTABLE = "acceptable";
    public static final String VIOLATING = "violating";

    private Label() {
    }

    /** true for "violating", false for "acceptable"; anything else is an error naming both. */
    public static boolean isViolating(String label) {
        String l = label.trim().toLowerCase(Locale.ROOT);
        if (l.equals(VIOLATING)) {
            return true;
        }
        if (l.equals(ACCEPTABLE)) {
            return false;
        }
        throw new IllegalArgumentException("unknown label '" + label + "' (expected '" + ACCEPTABLE + "' or '"
                + VIOLATING + "')");
    }
}
