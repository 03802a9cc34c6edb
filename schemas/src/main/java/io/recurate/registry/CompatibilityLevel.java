package io.recurate.registry;

import java.util.Locale;

/** Confluent's compatibility levels. BACKWARD is the registry default and recurate's policy. */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    public static CompatibilityLevel parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown compatibility level '" + s + "'; expected one of "
                    + java.util.Arrays.toString(values()), e);
        }
    }

    public boolean checksBackward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    public boolean checksForward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    /** Transitive levels check against every earlier version, the others only against the latest. */
    public boolean isTransitive() {
        return name().endsWith("_TRANSITIVE");
    }
}
