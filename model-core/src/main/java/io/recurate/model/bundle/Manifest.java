package io.recurate.model.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonIgnore;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.transformer.TransformerSpec;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a model bundle: what the model is, how it was made and how to check it.
 *
 * @param format         manifest format version (1)
 * @param name           model name, e.g. "filter"
 * @param version        version id, unique per name
 * @param parentVersion  the version this one was trained after, or null
 * @param createdAt      ISO-8601 instant
 * @param featurizer     the featurizer spec the model was trained with (hashed n-gram models; else null)
 * @param modelFile      the ONNX file, "model.onnx"
 * @param sha256         lowercase hex sha256 of the ONNX file
 * @param files          sha256 of every file of the bundle but the manifest (external data included)
 * @param inputs         ONNX input names: ids, inverse lengths
 * @param output         ONNX output name
 * @param exportMode     FOLDED or FULL
 * @param threshold      default violation threshold
 * @param probes         probe texts and the scores the model must give them
 * @param provenance     where the training data came from, trainer settings, origin
 * @param metrics        training and validation metrics
 * @param kind           what the bundle holds ({@link BundleKind}); absent for a hashed n-gram model, so that its
 *                       manifest stays the one builds before kinds existed read
 * @param transformer    for a Hugging Face classifier: its tokenizer, inputs, output and violating label; else null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(int format, String name, String version, String parentVersion, String createdAt,
                       FeaturizerSpec featurizer, String modelFile, String sha256, Map<String, String> files,
                       List<String> inputs, String output, String exportMode, float threshold, List<Probe> probes,
                       Map<String, String> provenance, Map<String, Double> metrics,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
                       @JsonInclude(JsonInclude.Include.NON_NULL) TransformerSpec transformer) {
    public static final int FORMAT = 1;

    /** The bundle's kind; a manifest that names none is a hashed n-gram model. */
    @JsonIgnore
    public BundleKind bundleKind() {
        return BundleKind.of(kind);
    }

    /**
     * A probe text and what the model must make of it.
     *
     * @param text           the text
     * @param score          the Java reference's probability (for people; the check reads the logit); for a
 *                       transformer bundle, its score when it was packaged, checked within the spec's tolerance
     * @param logit          the Java reference's logit; null in bundles written before it was recorded
     * @param logitTolerance how far a correct evaluation's logit may lie from {@code logit}, derived from the
     *                       float error of the sums (see {@code LinearModel.logitErrorBound}); null likewise
     */
    public record Probe(String text, float score, Double logit, Double logitTolerance) {
    }
}
