package io.recurate.curation.train;

/**
 * A corpus document as training sees it: its id (which fixes its fold), its text and the score the pass
 * gave it (NaN when unknown).
 */
public record TextDocument(String id, String text, float score) {
    public TextDocument(String id, String text) {
        this(id, text, Float.NaN);
    }
}
