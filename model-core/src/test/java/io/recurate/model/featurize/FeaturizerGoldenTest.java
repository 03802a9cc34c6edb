package io.recurate.model.featurize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the exact ids of the default spec: a change here changes every model's input, so it must be a
 * new featurizer version, never a silent edit.
 */
class FeaturizerGoldenTest {
    private final Featurizer featurizer = new Featurizer(FeaturizerSpec.defaults());

    @Test
    void pinsIdsOfLatinCyrillicArabicCjkAndEmojiTexts() {
        assertThat(featurizer.ids("Hello, World!")).containsExactly(486502, 1974506, 1232127, 672308, 1531559, 445635, 1560985);
        assertThat(featurizer.ids("Grüße aus Köln")).containsExactly(995542, 4401, 227109, 1690548, 1053696);
        assertThat(featurizer.ids("Привет мир")).containsExactly(1685382, 1658814, 1939983);
        assertThat(featurizer.ids("مرحبا بالعالم")).containsExactly(82540, 500028, 1814197);
        assertThat(featurizer.ids("中文文本")).containsExactly(953876, 1577313, 1577313, 474768, 926993, 906865, 332085);
        assertThat(featurizer.ids("日本語テキスト")).containsExactly(394433, 474768, 429428, 257304, 743349, 1289399,
                1685783, 1450443, 1212840, 1135972, 860024, 2060110, 989601);
        assertThat(featurizer.ids("I ❤️ pizza 🍕!")).containsExactly(1607624, 1302702, 1967332, 341863, 672308, 997444,
                368368, 1731145, 1673145);
    }

    @Test
    void emptyAndBlankTextsHaveNoIds() {
        assertThat(featurizer.ids("")).isEmpty();
        assertThat(featurizer.ids("   \n\t  ")).isEmpty();
        assertThat(featurizer.ids(null)).isEmpty();
    }

    @Test
    void tenMegabyteDocumentIsCutAtTheTokenCapAndPinned() {
        StringBuilder sb = new StringBuilder();
        String[] words = {"alpha", "Beta", "γάμμα", "δ", "spam!", "ham"};
        for (int i = 0; sb.length() < 10_000_000; i++) {
            sb.append(words[i % words.length]).append(i % 7 == 0 ? '\n' : ' ');
        }
        int[] ids = featurizer.ids(sb.toString());
        assertThat(featurizer.tokenCount(sb.toString())).isEqualTo(4096);
        assertThat(ids).hasSize(4096 + 4095);
        assertThat(Arrays.copyOf(ids, 6)).containsExactly(1852531, 1529827, 1845121, 387003, 361613, 672308);
        assertThat(ids[ids.length - 1]).isEqualTo(337245);
        long hash = 0;
        for (int id : ids) {
            hash = hash * 31 + id;
        }
        assertThat(hash).isEqualTo(-4061810220214797490L);
    }

    @Test
    void normalizesCompatibilityFormsAndCase() {
        assertThat(featurizer.ids("ﬁne ＡＢＣ")).containsExactly(featurizer.ids("fine abc"));
        assertThat(featurizer.ids("HELLO World")).containsExactly(featurizer.ids("hello world"));
        assertThat(featurizer.ids("Cafe\u0301")).containsExactly(featurizer.ids("Café")); // NFKC composes
    }

    @Test
    void idsStayWithinBucketsAndPaddingIsNeverAnId() {
        Featurizer small = new Featurizer(FeaturizerSpec.of(List.of(1, 2, 3), 16, 100));
        int[] ids = small.ids("a b c d e f g h i j k l m n o p");
        assertThat(ids).hasSize(16 + 15 + 14);
        assertThat(Arrays.stream(ids).min().getAsInt()).isGreaterThanOrEqualTo(1);
        assertThat(Arrays.stream(ids).max().getAsInt()).isLessThanOrEqualTo(16);
    }

    @Test
    void tokensRunAcrossChunkBoundariesWithoutSplitting() {
        String longWord = "x".repeat(40_000); // longer than a normalization chunk, with no whitespace
        assertThat(new Featurizer(FeaturizerSpec.defaults()).tokenCount("é " + longWord + " é")).isEqualTo(3);
    }

    @Test
    void aSpecThisBuildCannotReproduceIsRefused() {
        FeaturizerSpec future = new FeaturizerSpec(2, "NFKC_LOWERCASE", "unicode-words-v1", List.of(1), 16, "murmur3_x86_32", 1, 10);
        assertThatThrownBy(() -> new Featurizer(future)).hasMessageContaining("featurizer version 2");
        FeaturizerSpec otherHash = new FeaturizerSpec(1, "NFKC_LOWERCASE", "unicode-words-v1", List.of(1), 16, "xxhash", 1, 10);
        assertThatThrownBy(() -> new Featurizer(otherHash)).hasMessageContaining("xxhash");
    }

    @Test
    void specSurvivesItsJsonForm() {
        FeaturizerSpec spec = FeaturizerSpec.defaults();
        assertThat(FeaturizerSpec.fromJson(spec.toJson())).isEqualTo(spec);
        assertThat(spec.toJson()).contains("\"buckets\":2097152").contains("\"maxTokens\":4096");
    }
}
