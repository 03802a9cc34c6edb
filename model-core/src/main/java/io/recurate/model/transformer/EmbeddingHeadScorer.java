package io.recurate.model.transformer;

import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores with an embedding-head bundle: the encoder's embedding of each text (from the {@link EmbeddingCache} when
 * this encoder has embedded the same text before, else computed and cached), then the head's logistic regression.
 */
public final class EmbeddingHeadScorer implements BundleScorer {
    private final EncoderSession session;
    private final String encoderSha256;
    private final LinearHead head;
    private final EmbeddingCache cache;

    private EmbeddingHeadScorer(EncoderSession session, String encoderSha256, LinearHead head, EmbeddingCache cache) {
        this.session = session;
        this.encoderSha256 = encoderSha256;
        this.head = head;
        this.cache = cache;
    }

    /**
     * @param encoderSha256 the encoder file's sha256: the cache's key, with the text
     * @param headFile      the head, or null to open the encoder alone ({@link #embed})
     */
    public static EmbeddingHeadScorer open(Path encoder, String encoderSha256, Path tokenizer, TransformerSpec spec,
                                           Path headFile, EmbeddingCache cache, ScorerSettings settings) {
        EncoderSession session = EncoderSession.open(encoder, tokenizer, spec, settings);
        try {
            LinearHead head = headFile == null ? null : LinearHead.read(headFile, session.width());
            return new EmbeddingHeadScorer(session, encoderSha256, head, cache);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** The embeddings of the texts, each computed at most once per encoder and process while the cache holds it. */
    public List<float[]> embed(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        List<String> missing = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        List<String> keys = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String key = EmbeddingCache.key(encoderSha256, texts.get(i));
            keys.add(key);
            float[] cached = cache.get(key);
            out.add(cached);
            if (cached == null) {
                missing.add(texts.get(i));
                at.add(i);
            }
        }
        if (!missing.isEmpty()) {
            float[][] computed = session.outputs(missing);
            for (int m = 0; m < computed.length; m++) {
                int i = at.get(m);
                out.set(i, computed[m]);
                cache.put(keys.get(i), computed[m]);
            }
        }
        return out;
    }

    /** The dimension of the embedding. */
    public int dimension() {
        return session.width();
    }

    @Override
    public float[] score(List<String> texts) {
        if (head == null) {
            throw new IllegalStateException("this encoder was opened without a head");
        }
        List<float[]> embeddings = embed(texts);
        float[] scores = new float[embeddings.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = head.score(embeddings.get(i));
        }
        return scores;
    }

    /** Scores through the encoder, neither reading nor filling the cache: what a bundle's probe check needs. */
    public float[] scoreUncached(List<String> texts) {
        float[][] embeddings = session.outputs(texts);
        float[] scores = new float[embeddings.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = head.score(embeddings[i]);
        }
        return scores;
    }

    @Override
    public String device() {
        return session.device();
    }

    @Override
    public double featurizeSeconds() {
        return session.tokenizeSeconds();
    }

    @Override
    public double inferenceSeconds() {
        return session.inferenceSeconds();
    }

    @Override
    public void close() {
        session.close();
    }
}
