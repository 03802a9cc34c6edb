package io.recurate.model.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a sentence-transformers model pools and normalizes, read from its export: {@code 1_Pooling/config.json} (the
 * pooling mode) and {@code modules.json} (a Normalize module), found beside the ONNX file or one folder up (optimum
 * writes {@code onnx/model.onnx} in the model's folder).
 *
 * @param pooling   the pooling the config names
 * @param normalize whether the model ends with a Normalize module
 * @param source    the config file read, for messages
 */
public record SentenceTransformersConfig(Pooling pooling, boolean normalize, Path source) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The config of the model whose ONNX file is {@code onnx}, when its export has one. */
    public static Optional<SentenceTransformersConfig> near(Path onnx) {
        Path folder = onnx.toAbsolutePath().getParent();
        for (Path dir : new Path[] {folder, folder.getParent()}) {
            if (dir == null) {
                continue;
            }
            Path config = dir.resolve("1_Pooling").resolve("config.json");
            if (Files.isRegularFile(config)) {
                return Optional.of(read(config, dir.resolve("modules.json")));
            }
        }
        return Optional.empty();
    }

    static SentenceTransformersConfig read(Path poolingConfig, Path modules) {
        try {
            JsonNode pooling = JSON.readTree(poolingConfig.toFile());
            Pooling mode;
            if (pooling.path("pooling_mode_mean_tokens").asBoolean(false)) {
                mode = Pooling.MEAN;
            } else if (pooling.path("pooling_mode_cls_token").asBoolean(false)) {
                mode = Pooling.CLS;
            } else if (pooling.path("pooling_mode_max_tokens").asBoolean(false)) {
                mode = Pooling.MAX;
            } else {
                throw new IllegalArgumentException(poolingConfig + " names no pooling recurate has (mean, cls or max "
                        + "tokens); give --pooling");
            }
            boolean normalize = false;
            if (Files.isRegularFile(modules)) {
                for (JsonNode module : JSON.readTree(modules.toFile())) {
                    normalize |= module.path("type").asText().endsWith(".Normalize");
                }
            }
            return new SentenceTransformersConfig(mode, normalize, poolingConfig);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + poolingConfig + ": " + e.getMessage(), e);
        }
    }
}
