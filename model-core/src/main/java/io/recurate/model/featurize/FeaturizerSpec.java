package io.recurate.model.featurize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * Everything that decides which ids a text gets, written into every model bundle. A scorer refuses
 * a bundle whose spec it cannot reproduce exactly.
 *
 * <p>Version 1 ({@link Featurizer}): text is cut at ASCII whitespace into chunks that are Unicode-NFKC
 * normalized and lower-cased (Locale.ROOT). Tokens are maximal runs of letters, digits and marks; every
 * other visible code point (punctuation, symbols, emoji) and every CJK ideograph, kana or Thai
 * character is a token of its own; controls, format characters and variation selectors separate tokens. At most {@code maxTokens} tokens are used. A token's hash is
 * MurmurHash3 x86_32 of its UTF-8 bytes with {@code seed}; a unigram's id is
 * {@code 1 + (hash unsigned mod buckets)}; an n-gram (n &gt; 1) combines its token hashes as
 * {@code h = h * 116049371 + next} (fastText's rule) in 64 bits, adds {@code n * 0x9E3779B97F4A7C15},
 * applies MurmurHash3's fmix64 and takes {@code 1 + (h unsigned mod buckets)}. Id 0 is padding.
 *
 * @param version       featurizer algorithm version (1)
 * @param normalization "NFKC_LOWERCASE"
 * @param tokenizer     "unicode-words-v1"
 * @param ngramOrders   word n-gram orders, e.g. [1, 2]
 * @param buckets       number of hash buckets; the embedding table has buckets + 1 rows
 * @param hash          "murmur3_x86_32"
 * @param seed          seed of the token hash
 * @param maxTokens     tokens used per document; longer documents are scored on their first tokens
 */
public record FeaturizerSpec(int version, String normalization, String tokenizer, List<Integer> ngramOrders,
                             int buckets, String hash, int seed, int maxTokens) {
    public static final int VERSION = 1;
    public static final String NORMALIZATION = "NFKC_LOWERCASE";
    public static final String TOKENIZER = "unicode-words-v1";
    public static final String HASH = "murmur3_x86_32";
    private static final ObjectMapper JSON = new ObjectMapper();

    public FeaturizerSpec {
        ngramOrders = List.copyOf(ngramOrders);
        if (ngramOrders.isEmpty() || ngramOrders.stream().anyMatch(n -> n < 1 || n > 5)) {
            throw new IllegalArgumentException("n-gram orders must be between 1 and 5, got " + ngramOrders);
        }
        if (buckets < 1) {
            throw new IllegalArgumentException("buckets must be positive, got " + buckets);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
    }

    /** Unigrams and bigrams, 2^21 buckets, 4096 tokens: the defaults. */
    public static FeaturizerSpec defaults() {
        return of(List.of(1, 2), 1 << 21, 4096);
    }

    public static FeaturizerSpec of(List<Integer> orders, int buckets, int maxTokens) {
        return new FeaturizerSpec(VERSION, NORMALIZATION, TOKENIZER, orders, buckets, HASH, 0x5eed, maxTokens);
    }

    /** Why this code cannot reproduce the spec's ids, or null when it can. */
    public String unsupportedReason() {
        if (version != VERSION) {
            return "featurizer version " + version + " (this build implements version " + VERSION + ")";
        }
        if (!NORMALIZATION.equals(normalization)) {
            return "normalization '" + normalization + "' (this build implements " + NORMALIZATION + ")";
        }
        if (!TOKENIZER.equals(tokenizer)) {
            return "tokenizer '" + tokenizer + "' (this build implements " + TOKENIZER + ")";
        }
        if (!HASH.equals(hash)) {
            return "hash '" + hash + "' (this build implements " + HASH + ")";
        }
        return null;
    }

    /** Most ids a document can have: one per token per order. */
    public int maxIds() {
        return ngramOrders.stream().mapToInt(n -> Math.max(0, maxTokens - n + 1)).sum();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static FeaturizerSpec fromJson(String json) {
        try {
            return JSON.readValue(json, FeaturizerSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a featurizer spec: " + e.getOriginalMessage(), e);
        }
    }
}
