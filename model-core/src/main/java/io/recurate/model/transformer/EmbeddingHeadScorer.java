package io.recurate.model.transformer;

import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores with an embedding-head bundle: the encoder's embedding of each text (from the {@link EmbeddingCache} when
 * this encoder has embedded the same text before, else computed and cached), then the logistic regression of the
 * document's head: its fold's, when the bundle is cross-fitted ({@link FoldHeads}).
 */
public final class EmbeddingHeadScorer implements BundleScorer {
    private final EncoderSession session;
    private final String encoderSha256;
    private final FoldHeads heads;
    private final EmbeddingCache cache;

    private EmbeddingHeadScorer(EncoderSession session, String encoderSha256, FoldHeads heads, EmbeddingCache cache) {
        this.session = session;
        this.encoderSha256 = encoderSha256;
        this.heads = heads;
        this.cache = cache;
    }

    /**
     * @param encoderSha256 the encoder file's sha256: the cache's key, with the text
     * @param bundle        the folder holding the head(s) ({@link FoldHeads}), or null to open the encoder alone
     *                      ({@link #embed})
     */
    public static EmbeddingHeadScorer open(Path encoder, String encoderSha256, Path tokenizer, TransformerSpec spec,
                                           Path bundle, EmbeddingCache cache, ScorerSettings settings) {
        EncoderSession session = EncoderSession.open(encoder, tokenizer, spec, settings);
        try {
            FoldHeads heads = bundle == null ? null : FoldHeads.read(bundle, session.width());
            return new EmbeddingHeadScorer(session, encoderSha256, heads, cache);
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

    /** Without ids there is no fold to route by: scored by the first head (as a cross-fitted version's fold 0). */
    @Override
    public float[] score(List<String> texts) {
        List<float[]> embeddings = embed(texts);
        float[] scores = new float[embeddings.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = heads().heads().get(0).score(embeddings.get(i));
        }
        return scores;
    }

    /** Each document scored by the head of its fold, which never trained on it. */
    @Override
    public float[] score(List<String> ids, List<String> texts) {
        if (ids.size() != texts.size()) {
            throw new IllegalArgumentException(ids.size() + " ids for " + texts.size() + " texts");
        }
        List<float[]> embeddings = embed(texts);
        float[] scores = new float[embeddings.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = heads().of(ids.get(i)).score(embeddings.get(i));
        }
        return scores;
    }

    /**
     * Scores through the encoder, neither reading nor filling the cache: what a bundle's probe check needs. Text i is
     * scored by head i mod K, so that the probes check every head of a cross-fitted bundle.
     */
    public float[] scoreUncached(List<String> texts) {
        float[][] embeddings = session.outputs(texts);
        float[] scores = new float[embeddings.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = heads().heads().get(i % heads.k()).score(embeddings[i]);
        }
        return scores;
    }

    private FoldHeads heads() {
        if (heads == null) {
            throw new IllegalStateException("this encoder was opened without a head");
        }
        return heads;
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
