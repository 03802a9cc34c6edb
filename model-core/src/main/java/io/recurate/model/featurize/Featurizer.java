package io.recurate.model.featurize;

import java.text.Normalizer;
import java.util.Locale;

/**
 * Turns a text into hashed word n-gram ids, exactly as its {@link FeaturizerSpec} says. The same
 * code runs at training and at scoring time. Thread-safe: scratch buffers are per thread.
 */
public final class Featurizer {
    /** Target chunk length; chunks end at ASCII whitespace (the spec normalizes chunk by chunk). */
    private static final int CHUNK = 16 * 1024;
    /** A chunk with no ASCII whitespace is cut here (at a code point boundary). */
    private static final int MAX_CHUNK = 1 << 20;
    private static final long ORDER_SALT = 0x9E3779B97F4A7C15L;
    private static final long NGRAM_MULTIPLIER = 116049371L;

    private final FeaturizerSpec spec;
    private final int[] orders;
    private final int maxTokens;
    /** buckets - 1 when buckets is a power of two, else -1. */
    private final long bucketMask;
    private final ThreadLocal<Scratch> scratch;

    public Featurizer(FeaturizerSpec spec) {
        String unsupported = spec.unsupportedReason();
        if (unsupported != null) {
            throw new IllegalArgumentException("Cannot reproduce featurizer spec: " + unsupported);
        }
        this.spec = spec;
        this.orders = spec.ngramOrders().stream().mapToInt(Integer::intValue).toArray();
        this.maxTokens = spec.maxTokens();
        this.bucketMask = Integer.bitCount(spec.buckets()) == 1 ? spec.buckets() - 1 : -1;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(spec.maxTokens(), spec.seed()));
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
        for (int n : orders) {
            for (int i = 0; i + n <= tokens; i++) {
                if (n == 1) {
                    ids[at++] = bucket(s.hashes[i] & 0xffffffffL);
                } else {
                    long h = s.hashes[i] & 0xffffffffL;
                    for (int j = 1; j < n; j++) {
                        h = h * NGRAM_MULTIPLIER + (s.hashes[i + j] & 0xffffffffL);
                    }
                    ids[at++] = bucket(MurmurHash3.fmix64(h + n * ORDER_SALT));
                }
            }
        }
        return ids;
    }

    /** {@code 1 + (h unsigned mod buckets)}; a mask when buckets is a power of two (the default), same value. */
    private int bucket(long h) {
        return 1 + (int) (bucketMask >= 0 ? h & bucketMask : Long.remainderUnsigned(h, spec.buckets()));
    }

    /** Number of tokens the featurizer uses from a text (at most maxTokens). */
    public int tokenCount(String text) {
        return tokenize(text == null ? "" : text, scratch.get());
    }

    /** Fills s.hashes with the token hashes of the text; returns how many. */
    private int tokenize(String text, Scratch s) {
        s.tokens = 0;
        s.clearToken();
        int length = text.length();
        int start = 0;
        while (start < length && s.tokens < maxTokens) {
            int end = chunkEnd(text, start);
            tokenizeChunk(text, start, end, s);
            endToken(s);
            start = end;
        }
        return s.tokens;
    }

    /** Where the chunk that starts at {@code start} ends: the spec's unit of normalization. */
    static int chunkEnd(String text, int start) {
        int length = text.length();
        if (length - start <= CHUNK) {
            return length;
        }
        int limit = Math.min(length, start + MAX_CHUNK);
        for (int i = start + CHUNK; i < limit; i++) {
            if (isAsciiSpace(text.charAt(i))) {
                return i;
            }
        }
        if (limit < length && Character.isHighSurrogate(text.charAt(limit - 1))) {
            limit--; // never split a surrogate pair
        }
        return limit;
    }

    /**
     * Tokenizes a chunk word by word (a word runs up to ASCII whitespace): an ASCII word as it is, any other
     * normalized on its own. The spec normalizes whole chunks; this gives the same tokens because NFKC never
     * composes or reorders across ASCII whitespace (a starter that combines with nothing) and lower-casing looks
     * no further than the word around a character (Greek final sigma). {@code FeaturizerEquivalenceTest} holds
     * it to the chunk-wise reference. Most words of most corpora are ASCII and skip normalization.
     */
    private void tokenizeChunk(String text, int start, int end, Scratch s) {
        int word = start;
        while (word < end && s.tokens < maxTokens) {
            int tokensBefore = s.tokens; // the token state is clear here: the previous word ended with endToken
            int wordEnd = tokenizeAsciiWord(text, word, end, s);
            if (wordEnd < 0) {
                // Not ASCII: take back what the ASCII pass made of the word, and normalize the word as a whole
                // (a combining mark after an ASCII letter composes with it, say).
                s.tokens = tokensBefore;
                s.clearToken();
                wordEnd = -wordEnd - 1;
                while (wordEnd < end && !isAsciiSpace(text.charAt(wordEnd))) {
                    wordEnd++;
                }
                String normalized = Normalizer.normalize(text.substring(word, wordEnd), Normalizer.Form.NFKC);
                tokenizeUnicode(normalized.toLowerCase(Locale.ROOT), s);
            }
            endToken(s);
            word = wordEnd + 1; // past the whitespace
        }
    }

    /**
     * Tokenizes the word at {@code start} in one pass while it is ASCII. Returns where the word ends (ASCII
     * whitespace, or {@code end}), or {@code -1 - i} when the character at {@code i} is not ASCII: the caller then
     * takes back the tokens made and normalizes the word. Past the token cap nothing more is kept, but the rest of
     * the word is still read, since a non-ASCII character in it sends the whole word to normalization. The token's
     * hash state is kept in locals (this loop is most of a scorer's CPU time) and written back when it returns.
     */
    private int tokenizeAsciiWord(String text, int start, int end, Scratch s) {
        int seed = s.seed;
        int state = s.state;
        int block = s.block;
        int length = s.tokenLength;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return -1 - i; // the caller takes the word's tokens and token state back
            }
            int b = ASCII_BYTES[c];
            if (b > 0) {
                block |= b << ((length & 3) << 3);
                if ((++length & 3) == 0) {
                    state = MurmurHash3.mixBlock(state, block);
                    block = 0;
                }
                continue;
            }
            if (length > 0) { // whitespace, a control character or a symbol ends the token
                keep(s, MurmurHash3.finish(state, block, length));
                state = seed;
                block = 0;
                length = 0;
            }
            if (b == SEPARATES) {
                if (isAsciiSpace(c)) {
                    s.state = seed;
                    s.block = 0;
                    s.tokenLength = 0;
                    return i;
                }
            } else {
                keep(s, MurmurHash3.finish(seed, c, 1)); // punctuation and symbols are tokens of their own
            }
        }
        s.state = state;
        s.block = block;
        s.tokenLength = length;
        return end;
    }

    /** Adds a token's hash, unless the text has its maximum of tokens already. */
    private void keep(Scratch s, int hash) {
        if (s.tokens < maxTokens) {
            s.hashes[s.tokens++] = hash;
        }
    }

    private static final int SEPARATES = 0;
    private static final int STANDS_ALONE = -1;
    /**
     * What an ASCII character does: a letter or digit is the (lower-cased) byte it adds to a word; whitespace and
     * controls separate tokens; punctuation and symbols stand alone.
     */
    private static final byte[] ASCII_BYTES = new byte[0x80];

    static {
        for (int c = 0; c < ASCII_BYTES.length; c++) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                ASCII_BYTES[c] = (byte) c;
            } else if (c >= 'A' && c <= 'Z') {
                ASCII_BYTES[c] = (byte) (c + 32);
            } else if (c <= ' ' || c == 0x7f) {
                ASCII_BYTES[c] = SEPARATES;
            } else {
                ASCII_BYTES[c] = STANDS_ALONE;
            }
        }
    }

    private void tokenizeUnicode(String word, Scratch s) {
        for (int i = 0; i < word.length() && s.tokens < maxTokens; ) {
            int cp = word.codePointAt(i);
            i += Character.charCount(cp);
            switch (classOf(cp)) {
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

    enum CharClass { WORD, SINGLE, SEPARATOR }

    /** Whether a code point belongs to a word, stands alone as a token, or separates tokens. */
    static CharClass classOf(int cp) {
        return cp < BMP_CLASSES.length ? CLASSES[BMP_CLASSES[cp]] : classify(cp);
    }

    private static final CharClass[] CLASSES = CharClass.values();
    /**
     * {@link #classify} of every code point of the Basic Multilingual Plane, computed once (64 KiB): classifying a
     * character costs a table read instead of several Unicode property lookups (its script is a binary search).
     */
    private static final byte[] BMP_CLASSES = new byte[0x10000];

    static {
        for (int cp = 0; cp < BMP_CLASSES.length; cp++) {
            BMP_CLASSES[cp] = (byte) classify(cp).ordinal();
        }
    }

    private static CharClass classify(int cp) {
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return CharClass.SEPARATOR;
        }
        if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) {
            return CharClass.SEPARATOR; // variation selectors only choose a glyph (emoji vs text)
        }
        int type = Character.getType(cp);
        if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.SURROGATE || type == Character.PRIVATE_USE) {
            return CharClass.SEPARATOR; // zero-width joiners, BOMs, lone surrogates: not content
        }
        if (Character.isIdeographic(cp)) {
            return CharClass.SINGLE;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        if (script == Character.UnicodeScript.HIRAGANA || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.THAI) {
            return CharClass.SINGLE; // scripts written without spaces: one token per character
        }
        if (Character.isLetterOrDigit(cp) || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK) {
            return CharClass.WORD;
        }
        return CharClass.SINGLE;
    }

    private void endToken(Scratch s) {
        if (s.tokenLength > 0) {
            keep(s, s.finishToken());
        }
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b;
    }

    /**
     * Per-thread state: token hashes, and the MurmurHash3 state of the token being read, which takes its UTF-8
     * bytes as they come (whole 4-byte blocks are mixed in at once), so no token is copied.
     */
    private static final class Scratch {
        final int[] hashes;
        final int seed;
        int tokens;
        int tokenLength;
        int state;
        int block;

        Scratch(int maxTokens, int seed) {
            hashes = new int[maxTokens];
            this.seed = seed;
            state = seed;
        }

        void append(int b) {
            block |= b << ((tokenLength & 3) << 3);
            if ((++tokenLength & 3) == 0) {
                state = MurmurHash3.mixBlock(state, block);
                block = 0;
            }
        }

        int finishToken() {
            int hash = MurmurHash3.finish(state, block, tokenLength);
            clearToken();
            return hash;
        }

        void clearToken() {
            state = seed;
            block = 0;
            tokenLength = 0;
        }

        void appendUtf8(int cp) {
            if (cp < 0x80) {
                append(cp);
            } else if (cp < 0x800) {
                append(0xc0 | cp >> 6);
                append(0x80 | cp & 0x3f);
            } else if (cp < 0x10000) {
                append(0xe0 | cp >> 12);
                append(0x80 | cp >> 6 & 0x3f);
                append(0x80 | cp & 0x3f);
            } else {
                append(0xf0 | cp >> 18);
                append(0x80 | cp >> 12 & 0x3f);
                append(0x80 | cp >> 6 & 0x3f);
                append(0x80 | cp & 0x3f);
            }
        }
    }
}
