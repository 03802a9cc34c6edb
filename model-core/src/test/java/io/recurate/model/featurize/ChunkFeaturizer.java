package io.recurate.model.featurize;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Featurizer version 1 as it was first written: every 16 KB chunk with a non-ASCII character is normalized whole,
 * and a token's bytes are collected and hashed when it ends. Kept as the reference that {@link Featurizer}, which
 * normalizes word by word and hashes as it reads, must match id for id.
 */
final class ChunkFeaturizer {
    private static final long ORDER_SALT = 0x9E3779B97F4A7C15L;
    private static final long NGRAM_MULTIPLIER = 116049371L;

    private final FeaturizerSpec spec;
    private final int[] orders;
    private final ThreadLocal<Scratch> scratch;

    ChunkFeaturizer(FeaturizerSpec spec) {
        String unsupported = spec.unsupportedReason();
        if (unsupported != null) {
            throw new IllegalArgumentException("Cannot reproduce featurizer spec: " + unsupported);
        }
        this.spec = spec;
        this.orders = spec.ngramOrders().stream().mapToInt(Integer::intValue).toArray();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(spec.maxTokens()));
    }

    public FeaturizerSpec spec() {
        return spec;
    }

    /** The n-gram ids of a text, each in [1, buckets]; empty for a text without tokens. */
    public int[] ids(String text) {
        Scratch s = scratch.get();
        int tokens = tokenize(text == null ? "" : text, s);
        int count = 0;
        for (int n : orders) {
            count += Math.max(0, tokens - n + 1);
        }
        int[] ids = new int[count];
        int at = 0;
        int buckets = spec.buckets();
        for (int n : orders) {
            for (int i = 0; i + n <= tokens; i++) {
                if (n == 1) {
                    ids[at++] = 1 + Integer.remainderUnsigned(s.hashes[i], buckets);
                } else {
                    long h = s.hashes[i] & 0xffffffffL;
                    for (int j = 1; j < n; j++) {
                        h = h * NGRAM_MULTIPLIER + (s.hashes[i + j] & 0xffffffffL);
                    }
                    h = MurmurHash3.fmix64(h + n * ORDER_SALT);
                    ids[at++] = 1 + (int) Long.remainderUnsigned(h, buckets);
                }
            }
        }
        return ids;
    }

    /** Number of tokens the featurizer uses from a text (at most maxTokens). */
    public int tokenCount(String text) {
        return tokenize(text == null ? "" : text, scratch.get());
    }

    /** Fills s.hashes with the token hashes of the text; returns how many. */
    private int tokenize(String text, Scratch s) {
        s.tokens = 0;
        s.tokenBytes = 0;
        int length = text.length();
        int start = 0;
        while (start < length && s.tokens < spec.maxTokens()) {
            int end = Featurizer.chunkEnd(text, start); // where chunks end did not change
            boolean ascii = true;
            for (int i = start; i < end; i++) {
                if (text.charAt(i) >= 0x80) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                tokenizeAscii(text, start, end, s);
            } else {
                String chunk = Normalizer.normalize(text.substring(start, end), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
                tokenizeUnicode(chunk, s);
            }
            endToken(s);
            start = end;
        }
        return s.tokens;
    }

    private void tokenizeAscii(String text, int start, int end, Scratch s) {
        for (int i = start; i < end && s.tokens < spec.maxTokens(); i++) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                s.append((byte) c);
            } else if (c >= 'A' && c <= 'Z') {
                s.append((byte) (c + 32));
            } else if (c <= ' ' || c == 0x7f) {
                endToken(s); // whitespace and controls separate tokens
            } else {
                endToken(s);
                s.append((byte) c); // punctuation and symbols are tokens of their own
                endToken(s);
            }
        }
    }

    private void tokenizeUnicode(String chunk, Scratch s) {
        for (int i = 0; i < chunk.length() && s.tokens < spec.maxTokens(); ) {
            int cp = chunk.codePointAt(i);
            i += Character.charCount(cp);
            switch (Featurizer.classOf(cp)) { // the character classes are not what changed
                case WORD -> s.appendUtf8(cp);
                case SINGLE -> {
                    endToken(s);
                    s.appendUtf8(cp);
                    endToken(s);
                }
                default -> endToken(s);
            }
        }
    }

    private void endToken(Scratch s) {
        if (s.tokenBytes > 0 && s.tokens < spec.maxTokens()) {
            s.hashes[s.tokens++] = MurmurHash3.hash32(s.bytes, 0, s.tokenBytes, spec.seed());
        }
        s.tokenBytes = 0;
    }

    /** Per-thread buffers: token hashes and the UTF-8 bytes of the token being read. */
    private static final class Scratch {
        final int[] hashes;
        byte[] bytes = new byte[256];
        int tokens;
        int tokenBytes;

        Scratch(int maxTokens) {
            hashes = new int[maxTokens];
        }

        void append(byte b) {
            if (tokenBytes == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[tokenBytes++] = b;
        }

        void appendUtf8(int cp) {
            if (cp < 0x80) {
                append((byte) cp);
            } else if (cp < 0x800) {
                append((byte) (0xc0 | cp >> 6));
                append((byte) (0x80 | cp & 0x3f));
            } else if (cp < 0x10000) {
                append((byte) (0xe0 | cp >> 12));
                append((byte) (0x80 | cp >> 6 & 0x3f));
                append((byte) (0x80 | cp & 0x3f));
            } else {
                append((byte) (0xf0 | cp >> 18));
                append((byte) (0x80 | cp >> 12 & 0x3f));
                append((byte) (0x80 | cp >> 6 & 0x3f));
                append((byte) (0x80 | cp & 0x3f));
            }
        }
    }
}
