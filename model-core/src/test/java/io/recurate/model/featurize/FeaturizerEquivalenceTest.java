package io.recurate.model.featurize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The featurizer normalizes word by word and hashes tokens as it reads them; the spec says chunk by chunk. Every
 * model's input depends on the two agreeing, so random texts built from the characters where they could differ
 * (compositions across a word's ASCII and non-ASCII parts, Greek final sigma next to case-ignorable punctuation,
 * compatibility forms that normalize to spaces, surrogates, controls) must give the reference's ids exactly.
 */
class FeaturizerEquivalenceTest {
    private static final String[] PIECES = {
            "a", "Z", "e", "E", "q", "7", "0", "'", ".", ":", ",", "!", "<", "=", ">", "-", "_", "\u0001", "\u001c", "\u007f",
            " ", " ", " ", "\n", "\t", "\r", "\f", "\u000b",
            "\u03a3", "\u03a3", "\u03c3", "\u03c2", "\u03b1", "\u0391", "\u0386", "\u03f9", "\u0301", "\u0308", "\u0338", "\u0327",
            "\u00a0", "\u3000", "\u2003", "\u00b4", "\u00a8", "\uff21", "\ufb01", "\u2460", "\u00bd", "\u0130", "\u1e9e", "\u00df",
            "\u1100", "\u1161", "\u11a8", "\uac00", "\u4e2d", "\u30c6", "\u3066", "\u0e01", "\u0627", "\u0644", "\u05d0",
            "\ud83c\udf55", "\u2764", "\ufe0f", "\u200d", "\ufeff", "\ud800", "\udc00", "\ue000", "\u0378", "\u2028",
            "Cafe", "\u00e9", "stra\u00dfe", "\u039f\u0394\u039f\u03a3", "word", "WORD", "x"};

    private static final List<FeaturizerSpec> SPECS = List.of(
            FeaturizerSpec.defaults(),
            FeaturizerSpec.of(List.of(1, 2, 3), 1000, 4096),
            FeaturizerSpec.of(List.of(1, 2), 1 << 10, 7),
            FeaturizerSpec.of(List.of(2), 97, 50));

    @Test
    void randomTextsGetTheChunkWiseReferencesIds() {
        SplittableRandom random = new SplittableRandom(20261202);
        for (FeaturizerSpec spec : SPECS) {
            Featurizer featurizer = new Featurizer(spec);
            ChunkFeaturizer reference = new ChunkFeaturizer(spec);
            for (int n = 0; n < 10_000; n++) {
                String text = randomText(random, random.nextInt(1, 60));
                assertThat(featurizer.ids(text)).as(() -> "ids of " + escaped(text) + " under " + spec).containsExactly(reference.ids(text));
            }
        }
    }

    @Test
    void textsLongerThanAChunkAndWordsLongerThanTheLongestChunkAgree() {
        SplittableRandom random = new SplittableRandom(7);
        Featurizer featurizer = new Featurizer(FeaturizerSpec.of(List.of(1, 2), 1 << 21, 1 << 20));
        ChunkFeaturizer reference = new ChunkFeaturizer(FeaturizerSpec.of(List.of(1, 2), 1 << 21, 1 << 20));
        String text = randomText(random, 20_000); // ~25,000 chars: the first chunk ends at whitespace past 16 KB
        assertThat(featurizer.ids(text)).isEqualTo(reference.ids(text));
        // No ASCII whitespace for over a megabyte: the spec cuts the word at 2^20 chars (never inside a surrogate pair).
        // (No sigma in it: lower-casing decides each capital sigma with a word break iterator over the whole word.)
        String hugeWord = "ab\u00e9\u0391".repeat(220_000) + "\ud83c\udf55".repeat(100_000) + " tail";
        assertThat(featurizer.ids(hugeWord)).isEqualTo(reference.ids(hugeWord));
        String cutInsidePair = "x".repeat((1 << 20) - 1) + "\ud83c\udf55" + "\u00e9".repeat(20_000);
        assertThat(featurizer.ids(cutInsidePair)).isEqualTo(reference.ids(cutInsidePair));
    }

    /**
     * The featurizer reads ASCII eight bytes at a time: words of every length across those eight-byte reads, every
     * ASCII character (the neighbours of the letter and digit ranges, '@', '[', '`', '{', '/' and ':', included),
     * and a non-ASCII character now and then at any place in a word.
     */
    @Test
    void asciiTextsWithWordsOfEveryLengthAgree() {
        SplittableRandom random = new SplittableRandom(20261203);
        String wordChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (FeaturizerSpec spec : SPECS) {
            Featurizer featurizer = new Featurizer(spec);
            ChunkFeaturizer reference = new ChunkFeaturizer(spec);
            for (int n = 0; n < 5_000; n++) {
                StringBuilder text = new StringBuilder();
                for (int piece = random.nextInt(1, 40); piece > 0; piece--) {
                    int kind = random.nextInt(10);
                    if (kind < 6) {
                        for (int length = random.nextInt(0, 40); length > 0; length--) {
                            text.append(wordChars.charAt(random.nextInt(wordChars.length())));
                        }
                    } else if (kind < 9) {
                        text.append((char) random.nextInt(0x80));
                    } else {
                        text.append(PIECES[random.nextInt(PIECES.length)]);
                    }
                }
                String t = text.toString();
                assertThat(featurizer.ids(t)).as(() -> "ids of " + escaped(t) + " under " + spec).containsExactly(reference.ids(t));
            }
        }
    }

    private static String randomText(SplittableRandom random, int pieces) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.toString();
    }
}
