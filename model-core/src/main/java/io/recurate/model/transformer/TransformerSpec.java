package io.recurate.model.transformer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;

/**
 * How a Hugging Face sequence classifier bundle is fed and read, written into its manifest.
 *
 * @param tokenizer      the bundle's {@code tokenizer.json} (Hugging Face tokenizers' format)
 * @param maxLength      most tokens per document, special tokens included (the model's position table bounds it)
 * @param truncation     which end of a longer document is cut: {@code right} keeps its start, {@code left} its end
 * @param violatingLabel index of the logit that means "violating"
 * @param inputIds       ONNX input of the token ids (int64 [batch, length])
 * @param attentionMask  ONNX input of the attention mask (int64 [batch, length])
 * @param tokenTypeIds   ONNX input of the token type ids, or null when the model has none
 * @param output         ONNX output of the logits ([batch, labels]; one label means a single violating logit)
 * @param probeTolerance how far a probe's score may lie from the manifest's on another machine or device
 * @param pooling        how the output's token states become one vector per text ({@link Pooling#NONE}: the output
 *                       is one row per text already); absent in bundles written before pooling existed
 * @param normalize      whether the pooled vector is scaled to unit length (sentence-transformers' Normalize)
 * @param prefix         text put before every document, as some encoders were trained with ("query: " for e5)
 */
public record TransformerSpec(String tokenizer, int maxLength, String truncation, int violatingLabel, String inputIds,
                              String attentionMask, String tokenTypeIds, String output, double probeTolerance,
                              Pooling pooling, boolean normalize, String prefix) {
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /**
     * Probability differences between ONNX Runtime's CPU kernels on different instruction sets, and between CPU and
     * CUDA, stay far below this for a float32 model; a different model or tokenizer moves scores far more.
     */
    public static final double DEFAULT_PROBE_TOLERANCE = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();

    public TransformerSpec {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2 (room for the special tokens), got " + maxLength);
        }
        truncation = truncation == null ? "right" : truncation.toLowerCase(Locale.ROOT);
        if (!truncation.equals("right") && !truncation.equals("left")) {
            throw new IllegalArgumentException("truncation must be right or left, got " + truncation);
        }
        if (violatingLabel < 0) {
            throw new IllegalArgumentException("violatingLabel must be >= 0, got " + violatingLabel);
        }
        if (inputIds == null || attentionMask == null || output == null) {
            throw new IllegalArgumentException("the input ids, attention mask and output names are required");
        }
        if (!(probeTolerance > 0 && probeTolerance < 1)) {
            throw new IllegalArgumentException("probeTolerance must lie in (0, 1), got " + probeTolerance);
        }
        pooling = pooling == null ? Pooling.NONE : pooling;
        prefix = prefix == null ? "" : prefix;
    }

    /** A model whose output is one row per text, fed the document as it is. */
    public TransformerSpec(String tokenizer, int maxLength, String truncation, int violatingLabel, String inputIds,
                           String attentionMask, String tokenTypeIds, String output, double probeTolerance) {
        this(tokenizer, maxLength, truncation, violatingLabel, inputIds, attentionMask, tokenTypeIds, output,
                probeTolerance, Pooling.NONE, false, "");
    }

    /** This spec with the output pooled and normalized as given. */
    public TransformerSpec withPooling(Pooling pooling, boolean normalize, String prefix) {
        return new TransformerSpec(tokenizer, maxLength, truncation, violatingLabel, inputIds, attentionMask, tokenTypeIds,
                output, probeTolerance, pooling, normalize, prefix);
    }

    /** This spec at another token length. */
    public TransformerSpec withMaxLength(int maxLength) {
        return new TransformerSpec(tokenizer, maxLength, truncation, violatingLabel, inputIds, attentionMask, tokenTypeIds,
                output, probeTolerance, pooling, normalize, prefix);
    }

    /** Hugging Face's export names (optimum, transformers.onnx): input_ids, attention_mask, token_type_ids, logits. */
    public static TransformerSpec huggingFace(int maxLength, String truncation, int violatingLabel, boolean tokenTypes) {
        return new TransformerSpec(TOKENIZER_FILE, maxLength, truncation, violatingLabel, "input_ids", "attention_mask",
                tokenTypes ? "token_type_ids" : null, "logits", DEFAULT_PROBE_TOLERANCE);
    }

    public boolean keepsStart() {
        return truncation.equals("right");
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
