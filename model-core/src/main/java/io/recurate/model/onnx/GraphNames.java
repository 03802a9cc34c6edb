package io.recurate.model.onnx;

/** Input, output and metadata names of recurate's ONNX graph. */
public final class GraphNames {
    /** int32 [batch, length]: n-gram ids, 0 = padding. */
    public static final String IDS = "ids";
    /** float [batch, 1]: 1 / number of ids of each row (0 for an empty document). */
    public static final String INVERSE_LENGTHS = "inverse_lengths";
    /** float [batch, 1]: violation probability. */
    public static final String SCORE = "score";

    public static final String META_FEATURIZER_SPEC = "recurate.featurizer_spec";
    public static final String META_MODEL_VERSION = "recurate.model_version";
    public static final String META_THRESHOLD = "recurate.threshold";
    public static final String META_EXPORT_MODE = "recurate.export_mode";

    private GraphNames() {
    }
}
