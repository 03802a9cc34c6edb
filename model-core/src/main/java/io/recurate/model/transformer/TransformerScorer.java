package io.recurate.model.transformer;

import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Scores with a Hugging Face sequence classifier exported to ONNX ({@link EncoderSession}: tokenizer, batching by
 * token count): the score is the softmax probability of the violating label (the sigmoid of the logit for a
 * one-logit model).
 */
public final class TransformerScorer implements BundleScorer {
    private final EncoderSession session;
    private final TransformerSpec spec;

    private TransformerScorer(EncoderSession session, TransformerSpec spec) {
        this.session = session;
        this.spec = spec;
    }

    /**
     * Opens the model and its tokenizer and checks that they belong together: the tokenizer's ids fit the model's
     * embedding table, the graph has the spec's inputs (int64) and output, and the violating label is one of its
     * logits.
     *
     * @throws IllegalArgumentException when they do not, saying what differs
     */
    public static TransformerScorer open(Path model, Path tokenizerFile, TransformerSpec spec, ScorerSettings settings) {
        EncoderSession session = EncoderSession.open(model, tokenizerFile, spec, settings);
        if (spec.violatingLabel() >= session.width()) {
            session.close();
            throw new IllegalArgumentException("the manifest's violating label is " + spec.violatingLabel()
                    + " but the model gives " + session.width() + " logit(s)");
        }
        return new TransformerScorer(session, spec);
    }

    @Override
    public String device() {
        return session.device();
    }

    public TransformerSpec spec() {
        return spec;
    }

    /** The token ids a text is scored on. */
    public long[] tokenIds(String text) {
        return session.tokenIds(text);
    }

    @Override
    public float[] score(List<String> texts) {
        float[][] logits = session.outputs(texts);
        float[] scores = new float[logits.length];
        double[] row = new double[session.width()];
        for (int r = 0; r < logits.length; r++) {
            for (int l = 0; l < row.length; l++) {
                row[l] = logits[r][l];
            }
            scores[r] = (float) violatingProbability(row, spec.violatingLabel());
        }
        return scores;
    }

    /** Softmax probability of {@code label}; the sigmoid of the one logit of a one-logit model. */
    static double violatingProbability(double[] logits, int label) {
        if (logits.length == 1) {
            return 1 / (1 + Math.exp(-logits[0]));
        }
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        for (double z : logits) {
            sum += Math.exp(z - max);
        }
        return Math.exp(logits[label] - max) / sum;
    }

    @Override
    public double featurizeSeconds() {
        return session.tokenizeSeconds();
    }

    @Override
    public double inferenceSeconds() {
        return session.inferenceSeconds();
    }

    /** Share of the computed tokens that were padding, since the scorer opened (0 when nothing was scored). */
    public double paddingShare() {
        return session.paddingShare();
    }

    @Override
    public void close() {
        session.close();
    }
}
