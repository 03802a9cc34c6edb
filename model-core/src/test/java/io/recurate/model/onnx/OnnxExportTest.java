package io.recurate.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.recurate.model.bundle.ProbeCheck;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.Example;
import io.recurate.model.train.LargeWeights;
import io.recurate.model.train.LinearModel;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainerTest;
import io.recurate.model.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxExportTest {
    private static LinearModel model;
    private static List<String> texts;

    @BeforeAll
    static void train() {
        FeaturizerSpec spec = FeaturizerSpec.of(List.of(1, 2), 1 << 12, 64);
        model = new Trainer(spec, TrainerSettings.defaults().withValidationFraction(0))
                .train(TrainerTest.separable(1000, 9).iterator(), TrainingListener.NONE).model();
        Random random = new Random(5);
        texts = new ArrayList<>(List.of("", "viagra", "meeting agenda", "日本語 🙂", "x ".repeat(500)));
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            int words = random.nextInt(80);
            for (int w = 0; w < words; w++) {
                sb.append(Integer.toString(random.nextInt(3000), 36)).append(' ');
            }
            texts.add(sb.toString());
        }
    }

    private static void assertOnnxMatchesJava(Path file) {
        assertOnnxMatchesJava(model, file, texts);
    }

    /**
     * The export-time agreement: every ONNX score lies within the sigmoid of the Java logit +- the bound
     * derived from the float error of its sums (LinearModel.logitErrorBound); returns the largest
     * probability difference seen.
     */
    private static double assertOnnxMatchesJava(LinearModel model, Path file, List<String> texts) {
        Featurizer featurizer = new Featurizer(model.spec());
        double largest = 0;
        try (OnnxScorer scorer = OnnxScorer.open(file, model.spec(), ScorerSettings.defaults().withDevice(Device.CPU)
                .withMaxBatch(37))) {
            float[] onnx = scorer.score(texts);
            for (int i = 0; i < onnx.length; i++) {
                int[] ids = featurizer.ids(texts.get(i));
                double logit = model.logit(ids);
                double bound = model.logitErrorBound(ids);
                assertThat(ProbeCheck.agrees(onnx[i], logit, bound))
                        .as("text %d: ONNX %s, Java logit %s +- %s", i, onnx[i], logit, bound).isTrue();
                largest = Math.max(largest, Math.abs(onnx[i] - model.score(ids)));
            }
        }
        return largest;
    }

    /**
     * Issue 12's case, many times over: weights far larger than training gives and documents at the
     * 4096-token cap, where the reference's sequential sums and ONNX Runtime's vectorized ones differ by
     * far more than 1e-5 in probability, folded and full, and every score still lies within its bound.
     */
    @ParameterizedTest
    @EnumSource(ExportMode.class)
    void longDocumentsAndLargeWeightsStayWithinTheDerivedBound(ExportMode mode, @TempDir Path dir) throws Exception {
        FeaturizerSpec spec = FeaturizerSpec.of(List.of(1, 2), 1 << 12, 4096);
        LinearModel raw = LargeWeights.model(spec, 32, 3f, 3);
        Random random = new Random(8);
        List<String> documents = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            StringBuilder sb = new StringBuilder();
            int vocabulary = 1 + random.nextInt(i % 3 == 0 ? 5 : 3000); // repeated phrases and varied text
            for (int w = 0; w < 4500; w++) {
                sb.append('w').append(random.nextInt(vocabulary)).append(' ');
            }
            documents.add(sb.toString());
        }
        // Centre the bias on the documents' logits so that many land where the sigmoid is steep.
        Featurizer featurizer = new Featurizer(spec);
        float[] logits = new float[documents.size()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = raw.logit(featurizer.ids(documents.get(i)));
        }
        java.util.Arrays.sort(logits);
        LinearModel large = LargeWeights.withBias(raw, -logits[logits.length / 2]);
        Path file = dir.resolve("model.onnx");
        new OnnxExporter(mode, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD).write(large, Map.of(), file);
        double largest = assertOnnxMatchesJava(large, file, documents);
        assertThat(largest).as("the drift that a fixed 1e-5 refused is present").isGreaterThan(1e-5);
    }

    /** A model trained long on heavily repeated texts (large weights the honest way) agrees within its bound. */
    @Test
    void aModelTrainedOnHeavilyRepeatedTextsAgreesWithinTheBound(@TempDir Path dir) throws Exception {
        Random random = new Random(4);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            boolean violating = i % 2 == 0;
            String base = violating ? "free viagra cheap meds no prescription unsubscribe click now "
                    : "meeting agenda invoice report please see attached thanks ";
            examples.add(Example.of(base.repeat(1 + random.nextInt(3)) + " line " + random.nextInt(20), violating));
        }
        LinearModel repeated = new Trainer(FeaturizerSpec.of(List.of(1, 2), 1 << 16, 4096),
                new TrainerSettings(32, 100, 10f, 1, 42, 0, 2, false)).train(examples.iterator(), TrainingListener.NONE)
                .model();
        Path file = dir.resolve("model.onnx");
        OnnxExporter.defaults().write(repeated, Map.of(), file);
        assertOnnxMatchesJava(repeated, file, List.of(
                "free viagra meeting agenda cheap meds invoice report click now please see attached ".repeat(600),
                "free viagra cheap meds meeting agenda invoice report please see attached thanks click now ".repeat(500),
                "free free free viagra cheap meds no prescription unsubscribe ".repeat(700), "meeting", ""));
    }

    @Test
    void foldedExportScoresLikeTheJavaReference(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        new OnnxExporter(ExportMode.FOLDED, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD).write(model, Map.of("k", "v"), file);
        assertOnnxMatchesJava(file);
    }

    @Test
    void aBatchFeaturizedOnSeveralThreadsScoresExactlyAsOnOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        new OnnxExporter(ExportMode.FOLDED, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD).write(model, Map.of(), file);
        ScorerSettings one = ScorerSettings.defaults().withDevice(Device.CPU).withThreads(1);
        try (OnnxScorer single = OnnxScorer.open(file, model.spec(), one);
             OnnxScorer parallel = OnnxScorer.open(file, model.spec(), one.withThreads(3))) {
            assertThat(parallel.score(texts)).containsExactly(single.score(texts));
        }
    }

    @Test
    void fullExportScoresLikeTheJavaReference(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        new OnnxExporter(ExportMode.FULL, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD).write(model, Map.of(), file);
        assertOnnxMatchesJava(file);
    }

    @Test
    void largeTablesGoToExternalDataThatOnnxRuntimeReads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        List<Path> written = new OnnxExporter(ExportMode.FULL, 1024).write(model, Map.of(), file);
        assertThat(written).containsExactly(file, dir.resolve("model.onnx.data"));
        assertThat(Files.size(dir.resolve("model.onnx.data"))).isEqualTo((long) model.rows() * model.dim() * 4);
        assertThat(Files.size(file)).isLessThan(4096);
        assertOnnxMatchesJava(file);
    }

    @Test
    void autoFallsBackToCpuWhenCudaIsUnusable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        OnnxExporter.defaults().write(model, Map.of(), file);
        boolean cudaBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        try (OnnxScorer scorer = OnnxScorer.open(file, model.spec(), ScorerSettings.defaults())) {
            if (!cudaBuild) {
                assertThat(scorer.device()).isEqualTo("cpu");
            }
            assertThat(scorer.score(List.of("viagra"))).hasSize(1);
        }
        if (!cudaBuild) {
            assertThatThrownBy(() -> OnnxScorer.open(file, model.spec(), ScorerSettings.defaults()
                    .withDevice(Device.parse("cuda:0"))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cuda:0").hasMessageContaining("-Pgpu");
        }
    }

    @Test
    void devicesParseAndUnknownOnesAreRefused() {
        assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
        assertThat(Device.parse("CPU")).isEqualTo(Device.CPU);
        assertThat(Device.parse("cuda:3")).isEqualTo(new Device(Device.Kind.CUDA, 3));
        assertThat(Device.parse("cuda").toString()).isEqualTo("cuda:0");
        assertThatThrownBy(() -> Device.parse("tpu")).hasMessageContaining("auto, cpu, cuda or cuda:N");
    }
}
