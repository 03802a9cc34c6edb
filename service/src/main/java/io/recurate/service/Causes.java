package io.recurate.service;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A failure in words, down to its first cause: wrappers often say only "Error opening store" while the cause
 * that a person can act on ("No space left on device") is three levels down.
 */
public final class Causes {
    private Causes() {
    }

    /** "outer message; cause: IOException: No space left on device", each message once, the first cause last. */
    public static String describe(Throwable e) {
        List<String> parts = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        String text = "";
        for (Throwable t = e; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            String message = t.getMessage();
            String part = message == null || message.isBlank() ? t.getClass().getSimpleName()
                    : t == e ? message : t.getClass().getSimpleName() + ": " + message;
            // A wrapper that repeats its cause's message (Kafka's and Streams' often do) adds nothing.
            if (message != null && text.contains(message)) {
                continue;
            }
            if (t != e && message != null && !parts.isEmpty() && message.contains(lastMessage(parts))) {
                parts.remove(parts.size() - 1);
            }
            parts.add(part);
            text = String.join(" ", parts);
        }
        return String.join("; cause: ", parts);
    }

    private static String lastMessage(List<String> parts) {
        String last = parts.get(parts.size() - 1);
        int colon = last.indexOf(": ");
        return colon > 0 && !last.substring(0, colon).contains(" ") ? last.substring(colon + 2) : last;
    }

    /** The first cause: the deepest throwable of the chain. */
    public static Throwable root(Throwable e) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = e;
        while (t.getCause() != null && seen.put(t, Boolean.TRUE) == null) {
            t = t.getCause();
        }
        return t;
    }
}
