package io.recurate.curation.versions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.model.bundle.BundleException;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.Trainer;
import io.recurate.model.transformer.EncoderFiles;
import io.recurate.model.transformer.FoldHeads;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A version's folder in the artifact store, written atomically: one bundle (the folder is the bundle), or
 * K fold bundles {@code fold-0 .. fold-(K-1)}; beside them {@code version.json} with the folds and the
 * calibration, so that a trainer restarted after writing but before announcing announces the same version.
 */
final class VersionFolder {
    static final String FILE = "version.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What {@code version.json} holds. */
    record Description(int folds, Map<String, Double> calibration, Map<String, Double> metrics, String policy) {
    }

    /** A written (or found) version folder. */
    record Written(Path dir, List<Path> bundles, Description description) {
        String sha256(int fold) {
            return ModelBundle.open(bundles.get(fold)).manifest().sha256();
        }
    }

    private VersionFolder() {
    }

    /** A complete version folder: with its {@code version.json}, or a single bundle written before there was one. */
    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE)) || Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST));
    }

    /** The folder as written before; every bundle is opened (sha256 checked) on the way. */
    static Written read(Path dir) {
        Description description;
        if (!Files.isRegularFile(dir.resolve(FILE))) {
            var manifest = ModelBundle.open(dir).manifest();
            description = new Description(1, Map.of(), manifest.metrics() == null ? Map.of() : manifest.metrics(), null);
            return new Written(dir, List.of(dir), description);
        }
        try {
            description = JSON.readValue(dir.resolve(FILE).toFile(), Description.class);
        } catch (IOException e) {
            throw new BundleException("Unreadable " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
        List<Path> bundles = bundles(dir, description.folds());
        bundles.forEach(ModelBundle::open);
        return new Written(dir, bundles, description);
    }

    private static List<Path> bundles(Path dir, int folds) {
        List<Path> out = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            out.add(folds == 1 ? dir : dir.resolve("fold-" + f));
        }
        return out;
    }

    /** Writes fold bundles into a temporary sibling folder, then moves it into place. */
    static final class Writer {
        private final Path dir;
        private final Path tmp;
        private final ModelBundle.Description base;
        private final OnnxExporter exporter;
        private final Map<Integer, Map<String, Double>> foldMetrics = new TreeMap<>();
        private int folds;

        Writer(Path dir, ModelBundle.Description base, OnnxExporter exporter) {
            this.dir = dir;
            this.base = base;
            this.exporter = exporter;
            this.tmp = dir.toAbsolutePath().getParent().resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        }

        /** A fold sink: writes fold {@code fold} of {@code k}. */
        void write(int fold, int k, Trainer.Result trained) {
            folds = k;
            Map<String, Double> metrics = new LinkedHashMap<>(trained.report().asMetrics());
            Map<String, String> provenance = new LinkedHashMap<>(base.provenance());
            if (k > 1) {
                provenance.put("fold", fold + " of " + k + " (trained without the documents of fold " + fold + ")");
            }
            foldMetrics.put(fold, metrics);
            try {
                Files.createDirectories(k == 1 ? tmp.getParent() : tmp);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot create " + tmp + ": " + e.getMessage(), e);
            }
            ModelBundle.write(trained.model(), new ModelBundle.Description(base.name(), base.version(), base.parentVersion(),
                    base.threshold(), provenance, metrics), exporter, k == 1 ? tmp : tmp.resolve("fold-" + fold));
        }

        /**
         * Writes a version of heads on an encoder: one bundle (the folder itself), its K heads cross-fitted inside
         * it; the encoder and tokenizer are hard-linked where the file system allows.
         */
        void writeHeads(FoldHeads heads, EncoderFiles encoder, Map<String, Double> metrics) {
            folds = 1;
            foldMetrics.put(0, new LinkedHashMap<>(metrics));
            Map<String, String> provenance = new LinkedHashMap<>(base.provenance());
            provenance.put("encoder", encoder.name());
            if (heads.k() > 1) {
                provenance.put("folds", heads.k() + " heads, head k trained without the documents of fold k");
            }
            try {
                Files.createDirectories(tmp.getParent());
            } catch (IOException e) {
                throw new IllegalStateException("Cannot create " + tmp.getParent() + ": " + e.getMessage(), e);
            }
            ModelBundle.writeEmbeddingHead(encoder.onnx(), encoder.tokenizer(), encoder.spec(), heads,
                    new ModelBundle.Description(base.name(), base.version(), base.parentVersion(), base.threshold(),
                            provenance, metrics), tmp, true);
        }

        /** Writes {@code version.json} and moves the folder into place. */
        Written finish(Map<String, Double> calibration, String policy) {
            Map<String, Double> metrics = meanOverFolds();
            Description description = new Description(folds, calibration, metrics, policy);
            try {
                JSON.writeValue(tmp.resolve(FILE).toFile(), description);
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir);
                }
            } catch (IOException e) {
                abandon();
                throw new IllegalStateException("Cannot write version folder " + dir + ": " + e.getMessage(), e);
            }
            return new Written(dir, bundles(dir, folds), description);
        }

        /** A leftover temporary folder is named as such and never served: a failure to delete it is no error. */
        void abandon() {
            org.apache.commons.io.FileUtils.deleteQuietly(tmp.toFile());
        }

        private Map<String, Double> meanOverFolds() {
            Map<String, Double> sum = new LinkedHashMap<>();
            for (Map<String, Double> m : foldMetrics.values()) {
                m.forEach((k, v) -> sum.merge(k, v, Double::sum));
            }
            sum.replaceAll((k, v) -> v / Math.max(1, foldMetrics.size()));
            return sum;
        }
    }
}
