package io.recurate.model.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.GraphNames;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.OnnxScorer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.train.LinearModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A model bundle: a folder with {@code model.onnx} (and its external data, if any) and
 * {@code manifest.json}. Written atomically (a temporary sibling folder, then a rename), and checked
 * before it is served: sha256 of every file, a featurizer spec this build reproduces, ONNX Runtime
 * loads it with recurate's inputs, and it scores the probe texts as the manifest says, within the bound
 * the manifest derives from the float error of each probe's sums ({@link ProbeCheck}).
 */
public final class ModelBundle {
    public static final String MANIFEST = "manifest.json";
    public static final String MODEL = "model.onnx";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final Manifest manifest;

    private ModelBundle(Path dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** What to write besides the model: identity, lineage, threshold, provenance and metrics. */
    public record Description(String name, String version, String parentVersion, float threshold,
                              Map<String, String> provenance, Map<String, Double> metrics) {
    }

    /**
     * Writes the bundle folder {@code dir}, which must not exist yet. Probe scores come from the
     * Java reference, so the load check also proves that the ONNX graph computes the trained model.
     */
    public static ModelBundle write(LinearModel model, Description description, OnnxExporter exporter, Path dir) {
        if (Files.exists(dir)) {
            throw new BundleException("Bundle folder " + dir + " already exists; bundles are never overwritten");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(GraphNames.META_FEATURIZER_SPEC, model.spec().toJson());
            metadata.put(GraphNames.META_MODEL_VERSION, description.version());
            metadata.put(GraphNames.META_THRESHOLD, Float.toString(description.threshold()));
            List<Path> written = exporter.write(model, metadata, tmp.resolve(MODEL));
            Map<String, String> files = new LinkedHashMap<>();
            for (Path file : written) {
                files.put(file.getFileName().toString(), sha256(file));
            }
            List<Manifest.Probe> probes = new ArrayList<>();
            Featurizer featurizer = new Featurizer(model.spec());
            for (String text : Probes.TEXTS) {
                int[] ids = featurizer.ids(text);
                probes.add(new Manifest.Probe(text, model.score(ids), (double) model.logit(ids),
                        model.logitErrorBound(ids)));
            }
            String exportMode = exporter.mode().name();
            Manifest manifest = new Manifest(Manifest.FORMAT, description.name(), description.version(),
                    description.parentVersion(), Instant.now().toString(), model.spec(), MODEL, files.get(MODEL), files,
                    List.of(GraphNames.IDS, GraphNames.INVERSE_LENGTHS), GraphNames.SCORE, exportMode,
                    description.threshold(), probes, description.provenance(), description.metrics());
            JSON.writeValue(tmp.resolve(MANIFEST).toFile(), manifest);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir);
            }
            return new ModelBundle(dir, manifest);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BundleException("Cannot write model bundle " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Reads the manifest and checks every file's sha256 and the featurizer spec; loads nothing. */
    public static ModelBundle open(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException("Not a model bundle: " + dir + " has no " + MANIFEST);
        }
        Manifest manifest;
        try {
            manifest = JSON.readValue(manifestFile.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new BundleException("Unreadable manifest " + manifestFile + ": " + e.getMessage(), e);
        }
        if (manifest.format() != Manifest.FORMAT) {
            throw new BundleException(manifestFile + " has format " + manifest.format() + "; this build reads format "
                    + Manifest.FORMAT);
        }
        String unsupported = manifest.featurizer() == null ? "no featurizer spec" : manifest.featurizer().unsupportedReason();
        if (unsupported != null) {
            throw new BundleException("Bundle " + dir + " needs " + unsupported + "; refusing to serve it");
        }
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            if (!Files.isRegularFile(path)) {
                throw new BundleException("Bundle " + dir + " lacks " + file.getKey());
            }
            String actual = sha256(path);
            if (!actual.equals(file.getValue())) {
                throw new BundleException("sha256 of " + path + " is " + actual + ", the manifest says " + file.getValue()
                        + ": the file is corrupt or was changed; refusing to serve it");
            }
        }
        if (!manifest.files().containsKey(manifest.modelFile()) || !manifest.files().get(manifest.modelFile()).equals(manifest.sha256())) {
            throw new BundleException("Manifest " + manifestFile + " does not list the sha256 of " + manifest.modelFile());
        }
        return new ModelBundle(dir, manifest);
    }

    /**
     * {@link #open} plus the serving checks: ONNX Runtime loads the model on the requested device and
     * it scores every probe as the manifest says.
     *
     * @param expectedSpec the spec the caller featurizes with (e.g. from the ModelVersion record), or null
     */
    public static OnnxScorer load(Path dir, ScorerSettings settings, FeaturizerSpec expectedSpec) {
        ModelBundle bundle = open(dir);
        Manifest manifest = bundle.manifest();
        if (expectedSpec != null && !expectedSpec.equals(manifest.featurizer())) {
            throw new BundleException("Bundle " + dir + " was trained with featurizer " + manifest.featurizer().toJson()
                    + " but " + expectedSpec.toJson() + " was expected; refusing to serve it");
        }
        OnnxScorer scorer;
        try {
            scorer = OnnxScorer.open(dir.resolve(manifest.modelFile()), manifest.featurizer(), settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BundleException("Bundle " + dir + " does not load: " + e.getMessage(), e);
        }
        List<String> texts = manifest.probes().stream().map(Manifest.Probe::text).toList();
        float[] scores = scorer.score(texts);
        for (int i = 0; i < scores.length; i++) {
            Optional<String> mismatch = ProbeCheck.mismatch(manifest.probes().get(i), scores[i], manifest.featurizer());
            if (mismatch.isPresent()) {
                scorer.close();
                throw new BundleException("Bundle " + dir + " does not compute the model its manifest describes: on "
                        + scorer.device() + " it scores probe " + i + " as " + scores[i] + ", the manifest says "
                        + mismatch.get() + "; refusing to serve it");
            }
        }
        return scorer;
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new BundleException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary folder is named as such and never served
        }
    }
}
