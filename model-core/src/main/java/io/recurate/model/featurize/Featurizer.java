package io.recurate.model.featurize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.text.Normalizer;
import java.util.Arrays;
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
        int[] hashes = s.hashes;
        for (int n : orders) {
            if (n <= 2 && bucketMask >= 0) {
                at = n == 1 ? unigrams(hashes, tokens, ids, at) : bigrams(hashes, tokens, ids, at);
                continue;
            }
            for (int i = 0; i + n <= tokens; i++) {
                if (n == 1) {
                    ids[at++] = bucket(hashes[i] & 0xffffffffL);
                } else {
                    long h = hashes[i] & 0xffffffffL;
                    for (int j = 1; j < n; j++) {
                        h = h * NGRAM_MULTIPLIER + (hashes[i + j] & 0xffffffffL);
                    }
                    ids[at++] = bucket(MurmurHash3.fmix64(h + n * ORDER_SALT));
                }
            }
        }
        return ids;
    }

    /** The general loop above for unigrams with a power-of-two bucket count, in a loop of its own (the common case). */
    private int unigrams(int[] hashes, int tokens, int[] ids, int at) {
        long mask = bucketMask;
        for (int i = 0; i < tokens; i++) {
            ids[at++] = 1 + (int) (hashes[i] & 0xffffffffL & mask);
        }
        return at;
    }

    /** The general loop above for bigrams with a power-of-two bucket count, in a loop of its own (the common case). */
    private int bigrams(int[] hashes, int tokens, int[] ids, int at) {
        long mask = bucketMask;
        for (int i = 0; i + 1 < tokens; i++) {
            long h = (hashes[i] & 0xffffffffL) * NGRAM_MULTIPLIER + (hashes[i + 1] & 0xffffffffL);
            ids[at++] = 1 + (int) (MurmurHash3.fmix64(h + 2 * ORDER_SALT) & mask);
        }
        return at;
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
    private static final long HIGH = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long BELOW_A = lanes(0x80 - 'a');
    private static final long ABOVE_Z = lanes(0x7f - 'z');
    private static final long BELOW_0 = lanes(0x80 - '0');
    private static final long ABOVE_9 = lanes(0x7f - '9');

    /** One byte in every lane of a long. */
    private static long lanes(int b) {
        return 0x0101010101010101L * b;
    }

    /** What an ASCII character that is not a letter or digit does: separates tokens, stands alone, or ends a word. */
    private static final int SEPARATES = 0;
    private static final int STANDS_ALONE = 1;
    private static final int ENDS_WORD = 2;
    private static final byte[] ASCII_KINDS = new byte[0x80];

    static {
        for (int c = 0; c < ASCII_KINDS.length; c++) {
            ASCII_KINDS[c] = (byte) (isAsciiSpace((char) c) ? ENDS_WORD : c < ' ' || c == 0x7f ? SEPARATES : STANDS_ALONE);
        }
    }

    /**
     * Tokenizes a chunk, ASCII eight bytes at a time, from its {@link Scratch#asciiBytes}: the high bit of each lane
     * says whether that byte is a letter or digit (two range tests on all eight at once), so a token's bytes are
     * counted with one {@code numberOfTrailingZeros}, lower-cased with one OR and hashed a 4-byte block at a time.
     * Token ends are handled without a branch where the branch would be a guess (whether the token has a whole block
     * left, whether there is a token, whether the character after it is a token or a word's end): this loop is most
     * of a scorer's CPU time, and words are short. A word (up to ASCII whitespace) with a character that is not ASCII
     * has its tokens taken back and is normalized as a whole (a combining mark after an ASCII letter composes with it,
     * say). The spec normalizes whole chunks; this gives the same tokens because NFKC never composes or reorders across
     * ASCII whitespace (a starter that combines with nothing) and lower-casing looks no further than the word around a
     * character (Greek final sigma). {@code FeaturizerEquivalenceTest} holds it to the chunk-wise reference. Most
     * words of most corpora are ASCII and skip normalization.
     */
    private void tokenizeChunk(String text, int start, int end, Scratch s) {
        byte[] bytes = s.asciiBytes(text, start, end);
        int[] hashes = s.hashes; // one slot more than the cap: a token past it is written there and not counted
        int length = end - start;
        int seed = s.seed;
        int tokens = s.tokens;
        int wordTokens = tokens; // tokens before the word being read, to take back if it is not ASCII
        int word = 0;
        int state = seed;
        int tokenLength = 0;
        int i = 0;
        while (wordTokens < maxTokens) {
            long w = (long) LONGS.get(bytes, i);
            long ascii = w & LOW7;
            long lower = ascii | SPACES; // lower-cases letters and leaves digits as they are
            long letters = (lower + BELOW_A) & ~(lower + ABOVE_Z);
            long digits = (ascii + BELOW_0) & ~(ascii + ABOVE_9);
            long wordBytes = (letters | digits) & ~w & HIGH; // a byte with its high bit set is not ASCII
            int n = Long.numberOfTrailingZeros(~wordBytes & HIGH) >>> 3; // token bytes before the first other byte
            if (n == 8) {
                state = MurmurHash3.mixBlock(MurmurHash3.mixBlock(state, (int) lower), (int) (lower >>> 32));
                tokenLength += 8;
                i += 8;
                continue;
            }
            int block = -(n >>> 2); // all ones when a whole block is among the n bytes
            state = MurmurHash3.mixBlock(state, (int) lower) & block | state & ~block;
            lower >>>= block & 32;
            tokenLength += n;
            hashes[tokens] = MurmurHash3.finish(state, (int) lower & (int) ((1L << ((n & 3) << 3)) - 1), tokenLength);
            tokens += (-tokenLength >>> 31) & (tokens - maxTokens >>> 31);
            state = seed;
            tokenLength = 0;
            i += n;
            int c = bytes[i];
            if (c < 0) {
                if (i >= length) {
                    break; // the chunk's end
                }
                s.tokens = wordTokens;
                int wordEnd = i;
                while (wordEnd < length && !isAsciiSpace(text.charAt(start + wordEnd))) {
                    wordEnd++;
                }
                String normalized = Normalizer.normalize(text.substring(start + word, start + wordEnd), Normalizer.Form.NFKC);
                tokenizeUnicode(normalized.toLowerCase(Locale.ROOT), s);
                endToken(s);
                tokens = s.tokens;
                wordTokens = tokens;
                i = word = wordEnd + 1; // past the whitespace
                if (i >= length) {
                    break;
                }
                continue;
            }
            int kind = ASCII_KINDS[c];
            hashes[tokens] = s.charHashes[c]; // punctuation and symbols are tokens of their own
            tokens += kind & STANDS_ALONE & (tokens - maxTokens >>> 31);
            i++;
            int ends = -(kind >>> 1); // all ones after whitespace: a new word starts
            wordTokens = tokens & ends | wordTokens & ~ends;
            word = i & ends | word & ~ends;
        }
        s.tokens = tokens;
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
            int hash = s.finishToken();
            if (s.tokens < maxTokens) {
                s.hashes[s.tokens++] = hash;
            }
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

        /** A chunk's characters as bytes: ASCII as it is, anything else with its high bit set; then nine more such. */
        private byte[] bytes = new byte[0];

        /** The hash of each ASCII character as a token of its own. */
        final int[] charHashes = new int[0x80];

        Scratch(int maxTokens, int seed) {
            hashes = new int[maxTokens + 1];
            for (int c = 0; c < charHashes.length; c++) {
                charHashes[c] = MurmurHash3.finish(seed, c, 1);
            }
            this.seed = seed;
            state = seed;
        }

        /** The characters [start, end) of the text in {@link #bytes}; returns that array. */
        byte[] asciiBytes(String text, int start, int end) {
            int n = end - start;
            int size = n + 1 + Long.BYTES; // an end marker, and room to read eight bytes from it
            if (bytes.length < size) {
                bytes = new byte[Math.max(size, Math.min(2 * bytes.length, MAX_CHUNK + 1 + Long.BYTES))];
            }
            for (int i = 0; i < n; i++) {
                char c = text.charAt(start + i);
                bytes[i] = (byte) (c < 0x80 ? c : 0x80);
            }
            Arrays.fill(bytes, n, size, (byte) 0x80);
            return bytes;
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
