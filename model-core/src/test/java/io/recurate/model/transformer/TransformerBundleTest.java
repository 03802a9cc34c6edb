package io.recurate.model.transformer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.model.TestData;
import io.recurate.model.bundle.BundleException;
import io.recurate.model.bundle.BundleKind;
import io.recurate.model.bundle.Manifest;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Hugging Face-shaped classifier bundle, end to end: tokenizer, batching, scores, and the checks on load. */
class TransformerBundleTest {
    private static final int MAX_LENGTH = 48;
    private static final ScorerSettings CPU = ScorerSettings.defaults().withDevice(Device.CPU);
    private static final ModelBundle.Description DESCRIPTION = new ModelBundle.Description("filter", "v0", null, 0.5f,
            Map.of(), Map.of());

    @TempDir
    static Path files;
    private static List<String> texts;
    private static List<String> training;
    private static Path tokenizer;
    private static Path model;
    private static RandomEncoder.Shape shape;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeModel() throws IOException {
        List<List<LabelledText>> split = TestData.spamAssassinSplit();
        texts = split.get(1).stream().map(LabelledText::text).limit(60).toList();
        training = split.get(0).stream().map(LabelledText::text).toList();
        tokenizer = files.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(training.subList(0, 500), 400, tokenizer);
        shape = RandomEncoder.Shape.tiny(vocabulary, 64);
        model = files.resolve("exported.onnx");
        RandomEncoder.write(shape, 42, model);
    }

    private Path bundle(String name, TransformerSpec spec) {
        Path dir = tmp.resolve(name);
        ModelBundle.writeTransformer(model, tokenizer, spec, DESCRIPTION, dir);
        return dir;
    }

    private static TransformerSpec spec(String truncation) {
        return TransformerSpec.huggingFace(MAX_LENGTH, truncation, 1, true);
    }

    @Test
    void scoresEqualTheJavaReferenceOfTheGraph() throws IOException {
        Path dir = bundle("hf", spec("right"));
        Manifest manifest = ModelBundle.open(dir).manifest();
        assertThat(manifest.bundleKind()).isEqualTo(BundleKind.HF_SEQUENCE_CLASSIFIER);
        assertThat(manifest.files()).containsKeys("model.onnx", "tokenizer.json");
        BertReference reference = new BertReference(dir.resolve("model.onnx"), shape);
        try (BundleScorer loaded = ModelBundle.load(dir, CPU, null)) {
            TransformerScorer scorer = (TransformerScorer) loaded;
            float[] scores = scorer.score(texts);
            double lowest = 1;
            double highest = 0;
            for (int i = 0; i < texts.size(); i++) {
                long[] ids = scorer.tokenIds(texts.get(i));
                assertThat(scores[i]).as("document %d", i)
                        .isCloseTo((float) reference.violatingProbability(ids, 1), within(1e-4f));
                lowest = Math.min(lowest, scores[i]);
                highest = Math.max(highest, scores[i]);
            }
            assertThat(highest - lowest).as("the scores spread, so the comparison means something").isGreaterThan(0.3);
            assertThat(scorer.paddingShare()).isLessThan(0.5);
        }
    }

    @Test
    void tokensAreTheTokenizersCutAtTheChosenEndWithTheSpecialTokensKept() throws Exception {
        String text = String.join(" ", texts);
        try (TextTokenizer right = TextTokenizer.open(tokenizer, MAX_LENGTH, true);
             TextTokenizer left = TextTokenizer.open(tokenizer, MAX_LENGTH, false);
             TextTokenizer whole = TextTokenizer.open(tokenizer, 1_000_000, true)) {
            long[] all = whole.ids(text);
            long cls = 2;
            long sep = 3;
            assertThat(all[0]).isEqualTo(cls);
            assertThat(all[all.length - 1]).isEqualTo(sep);
            assertThat(all.length).isGreaterThan(10 * MAX_LENGTH);
            long[] start = right.ids(text);
            long[] end = left.ids(text);
            assertThat(start).hasSize(MAX_LENGTH).startsWith(java.util.Arrays.copyOf(all, MAX_LENGTH - 1)).endsWith(sep);
            assertThat(end).hasSize(MAX_LENGTH).startsWith(cls)
                    .endsWith(java.util.Arrays.copyOfRange(all, all.length - MAX_LENGTH + 1, all.length));
            String shortText = "free money now";
            assertThat(right.ids(shortText)).containsExactly(whole.ids(shortText));
            assertThat(right.ids("")).containsExactly(cls, sep);
        }
    }

    @Test
    void theTokenizerFilesOwnTruncationAndPaddingDoNotApply() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(tokenizer.toFile());
        root.putObject("truncation").put("direction", "Right").put("max_length", 8).put("strategy", "LongestFirst")
                .put("stride", 0);
        ObjectNode padding = root.putObject("padding");
        padding.putObject("strategy").put("Fixed", 64);
        padding.put("direction", "Right").putNull("pad_to_multiple_of");
        padding.put("pad_id", 0).put("pad_type_id", 0).put("pad_token", "[PAD]");
        Path configured = tmp.resolve("configured-tokenizer.json");
        json.writeValue(configured.toFile(), root);
        try (TextTokenizer ours = TextTokenizer.open(configured, MAX_LENGTH, true);
             TextTokenizer plain = TextTokenizer.open(tokenizer, MAX_LENGTH, true)) {
            String text = String.join(" ", texts);
            assertThat(ours.ids(text)).hasSize(MAX_LENGTH).containsExactly(plain.ids(text));
            assertThat(ours.ids("free money now")).containsExactly(plain.ids("free money now")).hasSizeLessThan(10);
        }
    }

    @Test
    void batchesCutByRowsAndTokensScoreAsOneDocumentAtATime() {
        Path dir = bundle("hf", spec("right"));
        List<Float> alone = new ArrayList<>();
        try (BundleScorer scorer = ModelBundle.load(dir, CPU, null)) {
            for (String text : texts) {
                alone.add(scorer.score(List.of(text))[0]);
            }
        }
        try (BundleScorer scorer = ModelBundle.load(dir, CPU.withMaxBatch(7).withMaxTokensPerBatch(100).withThreads(2), null)) {
            float[] batched = scorer.score(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(batched[i]).as("document %d", i).isCloseTo(alone.get(i), within(1e-5f));
            }
        }
    }

    @Test
    void aTokenizerThatIsNotTheModelsIsRefused() throws IOException {
        Path bigger = tmp.resolve("bigger-tokenizer.json");
        WordPieceTokenizerWriter.write(training, 5000, bigger);
        assertThatThrownBy(() -> ModelBundle.writeTransformer(model, bigger, spec("right"), DESCRIPTION, tmp.resolve("x")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("token ids but the model's embedding table for input_ids has " + shape.vocabulary()
                        + " rows: the tokenizer is not the model's");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aManifestThatDoesNotFitTheGraphIsRefused() {
        TransformerSpec noTypes = TransformerSpec.huggingFace(MAX_LENGTH, "right", 1, false);
        assertThatThrownBy(() -> bundle("a", noTypes)).isInstanceOf(BundleException.class)
                .hasMessageContaining("the model has inputs [attention_mask, input_ids, token_type_ids] but the manifest feeds "
                        + "[attention_mask, input_ids]");
        TransformerSpec thirdLabel = TransformerSpec.huggingFace(MAX_LENGTH, "right", 2, true);
        assertThatThrownBy(() -> bundle("b", thirdLabel)).isInstanceOf(BundleException.class)
                .hasMessageContaining("the manifest's violating label is 2 but the model gives 2 logit(s)");
    }

    @Test
    void anotherModelUnderTheManifestFailsItsProbes() throws IOException {
        Path dir = bundle("hf", spec("right"));
        Path other = tmp.resolve("other.onnx");
        RandomEncoder.write(shape, 43, other);
        Files.copy(other, dir.resolve("model.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // The sha256 refuses it first ...
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).hasMessageContaining("sha256 of");
        // ... and with the manifest's sha256 updated as well, the probes do.
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
        String sha = ModelBundle.sha256(dir.resolve("model.onnx"));
        manifest.put("sha256", sha);
        ((ObjectNode) manifest.get("files")).put("model.onnx", sha);
        json.writeValue(dir.resolve("manifest.json").toFile(), manifest);
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).isInstanceOf(BundleException.class)
                .hasMessageContaining("does not compute the model its manifest describes");
    }

    @Test
    void aChangedTokenizerIsRefusedByItsSha256() throws IOException {
        Path dir = bundle("hf", spec("left"));
        Files.writeString(dir.resolve("tokenizer.json"), Files.readString(dir.resolve("tokenizer.json")).replace("\"free\"", "\"fre\""));
        assertThatThrownBy(() -> ModelBundle.load(dir, CPU, null)).isInstanceOf(BundleException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("the file is corrupt or was changed");
    }

    @Test
    void brokenFilesAreRefusedSayingWhichAndWhy() throws IOException {
        Path badTokenizer = tmp.resolve("bad-tokenizer.json");
        Files.writeString(badTokenizer, "{\"version\": \"1.0\", \"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}");
        assertThatThrownBy(() -> ModelBundle.writeTransformer(model, badTokenizer, spec("right"), DESCRIPTION, tmp.resolve("a")))
                .isInstanceOf(BundleException.class).hasMessageContaining("Hugging Face tokenizers cannot read")
                .hasMessageContaining("bad-tokenizer.json");
        Files.writeString(badTokenizer, "{\"model\": ");
        assertThatThrownBy(() -> ModelBundle.writeTransformer(model, badTokenizer, spec("right"), DESCRIPTION, tmp.resolve("b")))
                .isInstanceOf(BundleException.class).hasMessageContaining("Cannot read tokenizer")
                .hasMessageContaining("bad-tokenizer.json");
        Path truncated = tmp.resolve("truncated.onnx");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ModelBundle.writeTransformer(truncated, tokenizer, spec("right"), DESCRIPTION, tmp.resolve("c")))
                .isInstanceOf(RuntimeException.class).hasMessageContaining("truncated.onnx");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("a", "b", "c")
                    .noneMatch(name -> name.contains(".tmp-"));
        }
    }

    @Test
    void anUnknownKindIsRefusedSayingWhatThisBuildServes() throws IOException {
        Path dir = bundle("hf", spec("right"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve("manifest.json").toFile());
        manifest.put("kind", "hf-token-classifier");
        json.writeValue(dir.resolve("manifest.json").toFile(), manifest);
        assertThatThrownBy(() -> ModelBundle.open(dir)).isInstanceOf(BundleException.class)
                .hasMessageContaining("bundle kind 'hf-token-classifier' (this build serves [hashed-ngram, hf-sequence-classifier, embedding-head])");
    }
}
