package io.recurate.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.recurate.model.TestData;
import io.recurate.model.bundle.BundleException;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoders whose output is token states: pooled over the attention mask as sentence-transformers pools them. The
 * reference is independent of the code under test: {@link BertReference}'s token states of each text alone (no
 * padding), in double precision, pooled and normalized here; recurate runs the texts as one padded batch.
 */
class PoolingTest {
    private static final int MAX_LENGTH = 40;
    private static final ScorerSettings CPU = ScorerSettings.defaults().withDevice(Device.CPU);

    @TempDir
    static Path files;
    private static Path tokenizer;
    private static Path encoder;
    private static RandomEncoder.Shape shape;
    private static BertReference reference;
    private static List<String> texts;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeEncoder() throws IOException {
        List<LabelledText> corpus = TestData.spamAssassinSplit().get(0).subList(0, 300);
        tokenizer = files.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(corpus.stream().map(LabelledText::text).toList(), 300, tokenizer);
        shape = new RandomEncoder.Shape(vocabulary, 32, 2, 2, 64, 64, -1);
        encoder = files.resolve("encoder.onnx");
        RandomEncoder.write(shape, 5, encoder);
        reference = new BertReference(encoder, shape);
        // Lengths from a few tokens to past MAX_LENGTH, so that the batch pads most rows and cuts one.
        texts = new ArrayList<>(List.of("hello", "meeting moved to three", "free money click now to claim your prize today"));
        corpus.stream().map(LabelledText::text).limit(5).forEach(texts::add);
    }

    private static TransformerSpec spec(Pooling pooling, boolean normalize) {
        return new TransformerSpec(TransformerSpec.TOKENIZER_FILE, MAX_LENGTH, "right", 1, "input_ids", "attention_mask",
                "token_type_ids", RandomEncoder.TOKEN_STATES_OUTPUT, TransformerSpec.DEFAULT_PROBE_TOLERANCE)
                .withPooling(pooling, normalize, "");
    }

    private static List<float[]> embed(TransformerSpec spec) {
        try (EmbeddingHeadScorer session = EmbeddingHeadScorer.open(encoder, "sha", tokenizer, spec, null,
                new EmbeddingCache(0), CPU)) {
            return session.embed(texts);
        }
    }

    /** The reference pooled here: mean or max over the text's tokens, or its first token; then unit length. */
    private static double[] pooled(String text, Pooling pooling, boolean normalize) {
        long[] ids;
        try (TextTokenizer t = TextTokenizer.open(tokenizer, MAX_LENGTH, true)) {
            ids = t.ids(text);
        }
        double[][] states = reference.tokenStates(ids);
        double[] out = new double[shape.hidden()];
        for (int d = 0; d < out.length; d++) {
            double acc = pooling == Pooling.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int t = 0; t < (pooling == Pooling.CLS ? 1 : states.length); t++) {
                acc = pooling == Pooling.MAX ? Math.max(acc, states[t][d]) : acc + states[t][d];
            }
            out[d] = pooling == Pooling.MEAN ? acc / states.length : acc;
        }
        if (normalize) {
            double norm = 0;
            for (double v : out) {
                norm += v * v;
            }
            for (int d = 0; d < out.length; d++) {
                out[d] /= Math.sqrt(norm);
            }
        }
        return out;
    }

    /** A head on the texts' embeddings, every other text labelled violating. */
    private static LinearHead head(List<float[]> x, double l2) {
        boolean[] y = new boolean[x.size()];
        float[] w = new float[x.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 2 == 0;
            w[i] = 1;
        }
        return LogisticHead.train(x, y, w, l2);
    }

    @Test
    void meanClsAndMaxPoolingMatchTheReferenceOverTheRealTokensOnly() {
        for (Pooling pooling : List.of(Pooling.MEAN, Pooling.CLS, Pooling.MAX)) {
            for (boolean normalize : List.of(false, true)) {
                List<float[]> got = embed(spec(pooling, normalize));
                for (int i = 0; i < texts.size(); i++) {
                    double[] want = pooled(texts.get(i), pooling, normalize);
                    assertThat(got.get(i)).as("%s pooling%s of text %d", pooling, normalize ? ", normalized" : "", i)
                            .hasSize(shape.hidden());
                    for (int d = 0; d < want.length; d++) {
                        assertThat((double) got.get(i)[d]).as("%s%s text %d dim %d", pooling, normalize ? " normalized" : "",
                                i, d).isCloseTo(want[d], within(1e-4));
                    }
                }
            }
        }
    }

    @Test
    void aNormalizedEmbeddingHasUnitLength() {
        for (float[] v : embed(spec(Pooling.MEAN, true))) {
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void tokenStatesWithoutPoolingAreRefusedWithWhatToDo() {
        TransformerSpec unpooled = spec(Pooling.NONE, false);
        assertThatThrownBy(() -> EmbeddingHeadScorer.open(encoder, "sha", tokenizer, unpooled, null, new EmbeddingCache(0), CPU))
                .hasMessageContaining("token states").hasMessageContaining("--pooling mean");
    }

    @Test
    void aPooledBundleIsCheckedOnLoadAndAnotherPoolingIsRefused() throws IOException {
        TransformerSpec spec = spec(Pooling.MEAN, true);
        List<float[]> x = embed(spec);
        FoldHeads heads = new FoldHeads(List.of(head(x, 1e-3), head(x, 1e-2), head(x, 1e-1)));
        Path dir = tmp.resolve("pooled");
        ModelBundle.writeEmbeddingHead(encoder, tokenizer, spec, heads,
                new ModelBundle.Description("filter", "v0", null, 0.5f, Map.of(), Map.of()), dir, false);
        try (var loaded = ModelBundle.load(dir, CPU, null)) {
            assertThat(loaded.score(List.of("hello"))).hasSize(1);
        }
        var manifest = ModelBundle.open(dir).manifest();
        assertThat(manifest.transformer().pooling()).isEqualTo(Pooling.MEAN);
        assertThat(manifest.transformer().normalize()).isTrue();
        assertThat(manifest.probes()).hasSizeGreaterThanOrEqualTo(heads.k());
        // The same files read with another pooling compute other probe scores: refused on load.
        Path manifestFile = dir.resolve(ModelBundle.MANIFEST);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifestFile.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("transformer")).put("pooling", "max");
        json.writeValue(manifestFile.toFile(), root);
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).isInstanceOf(BundleException.class)
                .hasMessageContaining("does not compute the model its manifest describes");
    }

    @Test
    void aChangedHeadOfACrossFittedBundleIsCaughtByItsProbe() throws IOException {
        TransformerSpec spec = spec(Pooling.CLS, true);
        List<float[]> x = embed(spec);
        List<LinearHead> list = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            list.add(head(x, 0.001 * (k + 1)));
        }
        Path dir = tmp.resolve("heads");
        ModelBundle.writeEmbeddingHead(encoder, tokenizer, spec, new FoldHeads(list),
                new ModelBundle.Description("filter", "v1", "v0", 0.5f, Map.of(), Map.of()), dir, false);
        // Head 3 replaced by a head with another bias, the manifest's sha256 of heads.json updated to match, so that
        // only the probes can tell.
        List<LinearHead> changed = new ArrayList<>(list);
        changed.set(3, new LinearHead(list.get(3).weights(), list.get(3).bias() + 2f));
        new FoldHeads(changed).write(dir);
        Path manifestFile = dir.resolve(ModelBundle.MANIFEST);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(manifestFile.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("files")).put(FoldHeads.FILE,
                ModelBundle.sha256(dir.resolve(FoldHeads.FILE)));
        json.writeValue(manifestFile.toFile(), root);
        // Probes 3 and 8 are the ones head 3 scores (probe i by head i mod 5).
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).isInstanceOf(BundleException.class)
                .hasMessageMatching("(?s).*scores probe [38] as .*");
    }

    @Test
    void theSentenceTransformersExportSaysHowToPool() throws IOException {
        Path model = tmp.resolve("st-model");
        java.nio.file.Files.createDirectories(model.resolve("onnx"));
        java.nio.file.Files.createDirectories(model.resolve("1_Pooling"));
        java.nio.file.Files.writeString(model.resolve("1_Pooling").resolve("config.json"),
                "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": false, \"pooling_mode_mean_tokens\": true}");
        java.nio.file.Files.writeString(model.resolve("modules.json"), "[{\"idx\": 0, \"type\": "
                + "\"sentence_transformers.models.Transformer\"}, {\"idx\": 1, \"type\": \"sentence_transformers.models.Pooling\"}, "
                + "{\"idx\": 2, \"type\": \"sentence_transformers.models.Normalize\"}]");
        var config = SentenceTransformersConfig.near(model.resolve("onnx").resolve("model.onnx")).orElseThrow();
        assertThat(config.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(config.normalize()).isTrue();
        java.nio.file.Files.writeString(model.resolve("1_Pooling").resolve("config.json"), "{\"pooling_mode_cls_token\": true}");
        java.nio.file.Files.delete(model.resolve("modules.json"));
        config = SentenceTransformersConfig.near(model.resolve("model.onnx")).orElseThrow();
        assertThat(config.pooling()).isEqualTo(Pooling.CLS);
        assertThat(config.normalize()).isFalse();
        assertThat(SentenceTransformersConfig.near(tmp.resolve("elsewhere").resolve("model.onnx"))).isEmpty();
    }
}
