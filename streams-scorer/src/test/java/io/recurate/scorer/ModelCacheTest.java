package io.recurate.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.Example;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 33: the scorer's model cache never closed a version; a loop of many passes held every one it served. */
class ModelCacheTest {
    private static final FeaturizerSpec SPEC = FeaturizerSpec.of(List.of(1, 2), 1 << 10, 16);

    @TempDir
    Path dir;

    private ModelVersion version(String version, long seed) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            examples.add(Example.of("casino prize " + i, true));
            examples.add(Example.of("meeting notes " + i, false));
        }
        var model = new Trainer(SPEC, TrainerSettings.defaults().withSeed(seed)).train(examples.iterator(),
                TrainingListener.NONE).model();
        Path bundle = dir.resolve(version);
        ModelBundle written = ModelBundle.write(model, new ModelBundle.Description("filter", version, null, 0.5f, Map.of(),
                Map.of()), OnnxExporter.defaults(), bundle);
        return ModelVersion.newBuilder().setName("filter").setVersion(version).setArtifactUri(bundle.toUri().toString())
                .setSha256(written.manifest().sha256()).setFeaturizerSpec(SPEC.toJson()).setThreshold(0.5f)
                .setCreatedAt(Instant.now()).build();
    }

    @Test
    void aPassStartingOnAVersionClosesTheOlderOnesAndOneAskedForAgainIsLoadedAgain() throws Exception {
        try (ModelCache cache = new ModelCache(new ScorerSettings(Device.CPU, 1, 64), new SimpleMeterRegistry())) {
            for (int v = 1; v <= 4; v++) {
                cache.offer(version("v" + v, v));
            }
            assertThat(cache.loadedVersions()).containsExactly("filter v1", "filter v2", "filter v3", "filter v4");
            cache.retainFrom("filter", "v3");
            assertThat(cache.loadedVersions()).as("the serving version and the one announced after it")
                    .containsExactly("filter v3", "filter v4");
            // A rerun of an old pass: v1 is loaded again, and scores.
            var v1 = cache.await("filter", "v1", Duration.ofSeconds(30));
            assertThat(v1.score(List.of("casino prize now", "meeting notes"))).hasSize(2);
            assertThat(cache.loadedVersions()).contains("filter v1");
            cache.retainFrom("filter", "v1");
            assertThat(cache.loadedVersions()).as("v1 was loaded last: older loads are closed")
                    .containsExactly("filter v1");
        }
    }
}
