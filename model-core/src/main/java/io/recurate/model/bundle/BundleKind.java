package io.recurate.model.bundle;

import java.util.Arrays;

/** What a bundle holds, declared by {@code kind} in its manifest; a manifest without one is a hashed n-gram model. */
public enum BundleKind {
    /** recurate's own model: hashed word n-grams, an embedding bag and a linear layer ({@code FeaturizerSpec}). */
    HASHED_NGRAM("hashed-ngram"),
    /** A Hugging Face sequence classifier exported to ONNX, with its {@code tokenizer.json} ({@code TransformerSpec}). */
    HF_SEQUENCE_CLASSIFIER("hf-sequence-classifier"),
    /**
     * A Hugging Face encoder exported to ONNX giving a pooled embedding, its {@code tokenizer.json}, and a logistic
     * regression head ({@code head.json}) that the trainer learns anew each pass on cached embeddings.
     */
    EMBEDDING_HEAD("embedding-head");

    private final String id;

    BundleKind(String id) {
        this.id = id;
    }

    /** The name in manifests and model versions. */
    public String id() {
        return id;
    }

    /** The kind a manifest or model version names; null means a bundle written before kinds existed. */
    public static BundleKind of(String id) {
        if (id == null) {
            return HASHED_NGRAM;
        }
        for (BundleKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new BundleException("bundle kind '" + id + "' (this build serves "
                + Arrays.stream(values()).map(BundleKind::id).toList() + ")");
    }
}
