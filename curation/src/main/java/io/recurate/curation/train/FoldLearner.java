package io.recurate.curation.train;

import java.util.List;

/**
 * Trains a version's K fold models from cross-fitted examples, for either kind of model: hashed n-grams
 * ({@link CrossFitTrainer}) or heads on a pretrained encoder ({@link HeadLearner}). Model k learns from every example
 * but the documents of fold k; constitution exemplars with an id of their own fall in one fold too. A training policy
 * decides what the examples are; the learner how a model is fitted to them.
 */
public interface FoldLearner {
    int k();

    /** Fold models kept in memory only: a policy's intermediate rounds. */
    FoldModels fit(List<CrossFitExample> examples);

    /** The version's fold models: also handed to whatever writes the version's bundles. */
    FoldModels fitVersion(List<CrossFitExample> examples);

    /** The learner's own names for what it fits, for provenance: "hashed n-gram SGD", "logistic head on e5-small-v2". */
    String describe();
}
