package io.recurate.model.data;

import io.recurate.model.train.Example;

/**
 * One record of a labelled (or unlabelled) JSONL file.
 *
 * @param id        the record's id field, or "file:line" when it has none
 * @param text      the text to featurize
 * @param violating the label, or null when the record has none
 * @param weight    example weight (the record's "weight" field, default 1)
 * @param line      1-based line number in its file
 */
public record LabelledText(String id, String text, Boolean violating, float weight, long line) {
    public boolean labelled() {
        return violating != null;
    }

    public Example toExample() {
        if (violating == null) {
            throw new IllegalStateException("Record " + id + " has no label");
        }
        return new Example(text, violating, weight);
    }
}
