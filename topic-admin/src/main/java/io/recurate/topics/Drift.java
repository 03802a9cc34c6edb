package io.recurate.topics;

import java.util.Set;

/** One way an existing topic differs from its plan. */
public record Drift(String topic, String setting, String expected, String actual) {
    /** Settings that only change how many broker losses a write survives: an existing topic is used anyway. */
    public static final Set<String> DURABILITY = Set.of("replication.factor", "min.insync.replicas");

    @Override
    public String toString() {
        return topic + ": " + setting + " is " + actual + ", the plan says " + expected;
    }

    /** What a person can do about it. */
    String remedy() {
        return switch (setting) {
            case "partitions" -> "pass --partitions " + actual + " (or RECURATE_PARTITIONS=" + actual + ") to use the "
                    + "topics as they are; the scorer writes each pass with its source's partitions";
            case "existence" -> "create it with 'recurate topics create'";
            default -> "set " + setting + "=" + expected + " with kafka-configs, or delete the topic";
        };
    }
}
