package io.recurate.topics;

/** One way an existing topic differs from its plan. */
public record Drift(String topic, String setting, String expected, String actual) {
    @Override
    public String toString() {
        return topic + ": " + setting + " is " + actual + ", the plan says " + expected;
    }
}
