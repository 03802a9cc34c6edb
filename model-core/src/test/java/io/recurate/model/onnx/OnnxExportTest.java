package io.recurate.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.score.ReferenceScorer;
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
        float[] reference = new ReferenceScorer(model).score(texts);
        try (OnnxScorer scorer = OnnxScorer.open(file, model.spec(), ScorerSettings.defaults().withDevice(Device.CPU)
                .withMaxBatch(37))) {
            float[] onnx = scorer.score(texts);
            for (int i = 0; i < onnx.length; i++) {
                assertThat(onnx[i]).as("text %d", i).isCloseTo(reference[i], within(1e-5f));
            }
        }
    }

    @Test
    void foldedExportScoresLikeTheJavaReference(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        new OnnxExporter(ExportMode.FOLDED, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD).write(model, Map.of("k", "v"), file);
        assertOnnxMatchesJava(file);
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
