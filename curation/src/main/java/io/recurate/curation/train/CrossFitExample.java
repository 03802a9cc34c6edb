package io.recurate.curation.train;

import io.recurate.model.train.Example;

/**
 * A training example and the document it comes from. A corpus document ({@code id} set) trains every
 * fold model but the one of its own fold; a constitution exemplar ({@code id} null) trains them all.
 */
public record CrossFitExample(String id, Example example) {
    public static CrossFitExample everyFold(Example example) {
        return new CrossFitExample(null, example);
    }
}
