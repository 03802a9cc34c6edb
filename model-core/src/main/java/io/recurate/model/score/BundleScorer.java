package io.recurate.model.score;

/** A scorer loaded from a model bundle, whatever its kind: it also says where its time went, for metrics. */
public interface BundleScorer extends Scorer {
    /** Time spent turning texts into model inputs so far (featurizing or tokenizing), in seconds. */
    double featurizeSeconds();

    /** Time spent in ONNX Runtime so far, in seconds. */
    double inferenceSeconds();
}
