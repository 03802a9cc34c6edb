package io.recurate.curation.train;

/**
 * A version's K fold models, whatever they are (hashed n-gram models, heads on an encoder): a document is scored by
 * the model of its fold, which never trained on it, so its score says what the rest of the corpus teaches about it,
 * not its own label.
 */
public interface FoldModels {
    int k();

    /** The score of document {@code id} by the model that did not train on it. */
    float score(String id, String text);
}
