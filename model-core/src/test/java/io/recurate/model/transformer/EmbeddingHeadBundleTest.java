package io.recurate.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.model.TestData;
import io.recurate.model.bundle.BundleException;
import io.recurate.model.bundle.BundleKind;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.train.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedding-head bundles: an encoder, a trained logistic head, scores through the embedding cache. */
class EmbeddingHeadBundleTest {
    private static final int MAX_LENGTH = 48;
    private static final ScorerSettings CPU = ScorerSettings.defaults().withDevice(Device.CPU);
    private static final TransformerSpec SPEC = new TransformerSpec(TransformerSpec.TOKENIZER_FILE, MAX_LENGTH, "right", 1,
            "input_ids", "attention_mask", "token_type_ids", RandomEncoder.EMBEDDING_OUTPUT, TransformerSpec.DEFAULT_PROBE_TOLERANCE);

    @TempDir
    static Path files;
    private static List<LabelledText> train;
    private static List<String> texts;
    private static Path tokenizer;
    private static Path encoder;
    private static RandomEncoder.Shape shape;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeEncoder() throws IOException {
        List<List<LabelledText>> split = TestData.spamAssassinSplit();
        train = split.get(0).subList(0, 400);
        texts = split.get(1).stream().map(LabelledText::text).limit(50).toList();
        tokenizer = files.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(train.stream().map(LabelledText::text).toList(), 400, tokenizer);
        shape = new RandomEncoder.Shape(vocabulary, 32, 2, 2, 64, 64, 0);
        encoder = files.resolve("encoder.onnx");
        RandomEncoder.write(shape, 11, encoder);
    }

    private Path bundle(String name, EmbeddingCache cache) {
        try (EmbeddingHeadScorer enc = EmbeddingHeadScorer.open(encoder, ModelBundle.sha256(encoder), tokenizer, SPEC, null,
                cache, CPU)) {
            List<float[]> embeddings = enc.embed(train.stream().map(LabelledText::text).toList());
            boolean[] y = new boolean[train.size()];
            float[] w = new float[train.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = train.get(i).violating();
                w[i] = 1;
            }
            Path dir = tmp.resolve(name);
            ModelBundle.writeEmbeddingHead(encoder, tokenizer, SPEC, LogisticHead.train(embeddings, y, w),
                    new ModelBundle.Description("filter", "v0", null, 0.5f, Map.of(), Map.of()), dir, false);
            return dir;
        }
    }

    @Test
    void scoresAreTheHeadOnTheReferenceEmbeddingAndComeFromTheCacheTheSecondTime() throws IOException {
        Path dir = bundle("v0", new EmbeddingCache(64 << 20));
        assertThat(ModelBundle.open(dir).manifest().bundleKind()).isEqualTo(BundleKind.EMBEDDING_HEAD);
        LinearHead head = LinearHead.read(dir.resolve(LinearHead.FILE), shape.hidden());
        BertReference reference = new BertReference(dir.resolve("model.onnx"), shape);
        EmbeddingCache cache = EmbeddingCache.shared();
        long computed = cache.computed();
        try (BundleScorer scorer = ModelBundle.load(dir, CPU, null);
             TextTokenizer ids = TextTokenizer.open(tokenizer, MAX_LENGTH, true)) {
            float[] first = scorer.score(texts);
            for (int i = 0; i < texts.size(); i++) {
                double[] e = reference.embedding(ids.ids(texts.get(i)));
                float[] asFloat = new float[e.length];
                for (int j = 0; j < e.length; j++) {
                    asFloat[j] = (float) e[j];
                }
                assertThat(first[i]).as("document %d", i).isCloseTo(head.score(asFloat), within(1e-4f));
            }
            assertThat(cache.computed() - computed).as("one encoder run per document").isEqualTo(texts.stream().distinct().count());
            long hits = cache.hits();
            float[] second = scorer.score(texts);
            assertThat(second).containsExactly(first);
            assertThat(cache.computed() - computed).as("none computed again").isEqualTo(texts.stream().distinct().count());
            assertThat(cache.hits() - hits).isEqualTo(texts.size());
        }
    }

    @Test
    void theHeadLearnsWhatTheEmbeddingsSeparate() {
        Random random = new Random(3);
        List<float[]> x = new ArrayList<>();
        boolean[] y = new boolean[2000];
        float[] w = new float[2000];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 4 == 0;
            float[] e = new float[16];
            for (int j = 0; j < e.length; j++) {
                e[j] = (float) random.nextGaussian() * 3 + 40; // far from zero and wide: standardizing matters
            }
            e[5] += y[i] ? 3f : -3f;
            x.add(e);
            w[i] = 1;
        }
        LinearHead head = LogisticHead.train(x, y, w);
        float[] scores = new float[y.length];
        float[] best = new float[y.length]; // the Bayes-optimal score: the one dimension that differs
        for (int i = 0; i < y.length; i++) {
            scores[i] = head.score(x.get(i));
            best[i] = x.get(i)[5];
        }
        assertThat(Metrics.rocAuc(scores, y)).isGreaterThan(Metrics.rocAuc(best, y) - 0.01);
        assertThat(Math.abs(head.weights()[5])).isGreaterThan(5 * Math.abs(head.weights()[6]));
        assertThat(Metrics.confusion(scores, y, 0.5f).accuracy()).isGreaterThan(0.8);
    }

    @Test
    void aChangedHeadFailsItsShaAndAHeadOfAnotherWidthIsRefused() throws IOException {
        Path dir = bundle("v0", new EmbeddingCache(0));
        ObjectMapper json = new ObjectMapper();
        ObjectNode head = (ObjectNode) json.readTree(dir.resolve(LinearHead.FILE).toFile());
        head.put("bias", head.get("bias").floatValue() + 1);
        json.writeValue(dir.resolve(LinearHead.FILE).toFile(), head);
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).isInstanceOf(BundleException.class)
                .hasMessageContaining("head.json").hasMessageContaining("corrupt or was changed");
        assertThatThrownBy(() -> ModelBundle.writeEmbeddingHead(encoder, tokenizer, SPEC, new LinearHead(new float[3], 0),
                new ModelBundle.Description("filter", "v1", null, 0.5f, Map.of(), Map.of()), tmp.resolve("narrow"), false))
                .isInstanceOf(BundleException.class).hasMessageContaining("has 3 weights but the encoder's embedding has 32");
        assertThat(tmp.resolve("narrow")).doesNotExist();
        assertThat(Files.exists(dir)).isTrue();
    }
}
