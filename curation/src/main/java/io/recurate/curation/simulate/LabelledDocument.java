package io.recurate.curation.simulate;

/** A corpus document with its gold label, for measuring a policy. */
public record LabelledDocument(String id, String text, boolean violating) {
}
