package io.recurate.model.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.GraphNames;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.OnnxScorer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.onnx.Device;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.train.LinearModel;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.EncoderFiles;
import io.recurate.model.transformer.FoldHeads;
import io.recurate.model.transformer.LinearHead;
import io.recurate.model.transformer.OnnxGraphFacts;
import io.recurate.model.transformer.TextTokenizer;
import io.recurate.model.transformer.TransformerScorer;
import io.recurate.model.transformer.TransformerSpec;
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
import java.util.function.BiFunction;

/**
 * A model bundle: a folder with {@code model.onnx} (and its external data, if any), {@code manifest.json}
 * and, for a Hugging Face model, {@code tokenizer.json} (and an embedding head's {@code head.json}); the
 * manifest's {@code kind} says which ({@link BundleKind}). Written atomically (a temporary sibling folder, then a rename), and checked
 * before it is served: sha256 of every file, a featurizer spec this build reproduces, ONNX Runtime
 * loads it with recurate's inputs, and it scores the probe texts as the manifest says, within the bound
 * the manifest derives from the float error of each probe's sums ({@link ProbeCheck}).
 */
public final class ModelBundle {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModelBundle.class);
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
        return writeAtomically(dir, tmp -> {
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
            return new Manifest(Manifest.FORMAT, description.name(), description.version(),
                    description.parentVersion(), Instant.now().toString(), model.spec(), MODEL, files.get(MODEL), files,
                    List.of(GraphNames.IDS, GraphNames.INVERSE_LENGTHS), GraphNames.SCORE, exportMode,
                    description.threshold(), probes, description.provenance(), description.metrics(), null, null);
        });
    }

    /**
     * Packages a Hugging Face sequence classifier exported to ONNX (with {@code optimum-cli export onnx --task
     * text-classification}, say) and its {@code tokenizer.json} as a bundle: the model (as {@code model.onnx}, with
     * the external data files its graph names), the tokenizer, and a manifest whose probes are the scores the
     * packaged model gives the probe texts here, on CPU. Packaging runs every check loading does, so a tokenizer
     * that is not the model's, or a graph without the spec's inputs, is refused here already.
     */
    public static ModelBundle writeTransformer(Path onnx, Path tokenizer, TransformerSpec spec, Description description,
                                               Path dir) {
        checkSources(onnx, tokenizer, spec);
        return writeAtomically(dir, tmp -> {
            Map<String, String> files = copyTransformer(onnx, tokenizer, spec, tmp, false);
            List<Manifest.Probe> probes;
            try (TransformerScorer scorer = openTransformer(tmp, spec, new ScorerSettings(Device.CPU, 1, 64))) {
                probes = transformerProbes(spec, scorer::score);
            }
            Map<String, String> provenance = description.provenance() == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(description.provenance());
            provenance.putIfAbsent("source", onnx.toAbsolutePath() + " + " + tokenizer.toAbsolutePath());
            return transformerManifest(BundleKind.HF_SEQUENCE_CLASSIFIER, description, provenance, files, spec, probes);
        });
    }

    /**
     * Writes an embedding-head bundle: the encoder (an ONNX graph whose {@code spec.output()} is the pooled
     * embedding, with its external data), its tokenizer and {@code head}. Its probes are the scores it gives here,
     * computed through the encoder.
     *
     * @param fromBundle the encoder and tokenizer are another bundle's, never changed in place: they are hard-linked
     *                   where the file system allows (a version per pass shares one encoder on disk); a user's own
     *                   files are always copied
     */
    public static ModelBundle writeEmbeddingHead(Path encoder, Path tokenizer, TransformerSpec spec, LinearHead head,
                                                 Description description, Path dir, boolean fromBundle) {
        return writeEmbeddingHead(encoder, tokenizer, spec, FoldHeads.of(head), description, dir, fromBundle);
    }

    /** As above with K cross-fitted heads ({@link FoldHeads}); the probes check each of them. */
    public static ModelBundle writeEmbeddingHead(Path encoder, Path tokenizer, TransformerSpec spec, FoldHeads heads,
                                                 Description description, Path dir, boolean fromBundle) {
        checkSources(encoder, tokenizer, spec);
        return writeAtomically(dir, tmp -> {
            Map<String, String> files = copyTransformer(encoder, tokenizer, spec, tmp, fromBundle);
            heads.write(tmp);
            files.put(heads.fileName(), sha256(tmp.resolve(heads.fileName())));
            List<Manifest.Probe> probes;
            try (EmbeddingHeadScorer scorer = openEmbeddingHead(tmp, files.get(MODEL), spec,
                    new ScorerSettings(Device.CPU, 1, 64), new EmbeddingCache(0))) {
                probes = transformerProbes(spec, scorer::scoreUncached);
            }
            return transformerManifest(BundleKind.EMBEDDING_HEAD, description,
                    description.provenance() == null ? Map.of() : description.provenance(), files, spec, probes);
        });
    }

    /**
     * The probe texts and one of more than maxLength tokens, scored as packaged: a model whose position table is
     * shorter than the spec's maxLength fails here, not on the first long document of a pass.
     */
    private static List<Manifest.Probe> transformerProbes(TransformerSpec spec,
                                                          java.util.function.Function<List<String>, float[]> score) {
        List<String> texts = new ArrayList<>(Probes.TEXTS);
        texts.add(String.join(" ", java.util.Collections.nCopies(spec.maxLength(), "the quick brown fox")));
        float[] scores;
        try {
            scores = score.apply(texts);
        } catch (IllegalStateException e) {
            throw new BundleException("The model does not score the probe texts with " + spec.tokenizer()
                    + " at maxLength " + spec.maxLength() + ": " + e.getMessage(), e);
        }
        List<Manifest.Probe> probes = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            probes.add(new Manifest.Probe(texts.get(i), scores[i], null, null));
        }
        return probes;
    }

    private static Manifest transformerManifest(BundleKind kind, Description description, Map<String, String> provenance,
                                                Map<String, String> files, TransformerSpec spec,
                                                List<Manifest.Probe> probes) {
        return new Manifest(Manifest.FORMAT, description.name(), description.version(), description.parentVersion(),
                Instant.now().toString(), null, MODEL, files.get(MODEL), files,
                spec.tokenTypeIds() == null ? List.of(spec.inputIds(), spec.attentionMask())
                        : List.of(spec.inputIds(), spec.attentionMask(), spec.tokenTypeIds()),
                spec.output(), null, description.threshold(), probes, provenance, description.metrics(), kind.id(), spec);
    }

    /** The user's files, read where they are, so that an error names them, not the bundle's copies. */
    private static void checkSources(Path onnx, Path tokenizer, TransformerSpec spec) {
        if (!Files.isRegularFile(onnx)) {
            throw new BundleException("No ONNX model at " + onnx);
        }
        if (!Files.isRegularFile(tokenizer)) {
            throw new BundleException("No tokenizer at " + tokenizer);
        }
        try { // the model's graph is read where it is, first thing, when it is copied
            TextTokenizer.open(tokenizer, spec.maxLength(), spec.keepsStart()).close();
        } catch (IllegalArgumentException e) {
            throw new BundleException(e.getMessage(), e);
        }
    }

    /** The model as {@code model.onnx}, the external data files its graph names, and the tokenizer; their sha256. */
    private static Map<String, String> copyTransformer(Path onnx, Path tokenizer, TransformerSpec spec, Path tmp,
                                                       boolean link) throws IOException {
        java.util.Set<String> externals = OnnxGraphFacts.read(onnx).externalDataFiles(); // a broken model fails here
        Map<String, String> files = new LinkedHashMap<>();
        linkOrCopy(onnx, tmp.resolve(MODEL), link);
        files.put(MODEL, sha256(tmp.resolve(MODEL)));
        Path source = onnx.toAbsolutePath().getParent();
        for (String external : externals) {
            Path target = tmp.resolve(external).normalize();
            if (!target.startsWith(tmp) || external.equals(MODEL) || external.equals(spec.tokenizer())
                    || external.equals(LinearHead.FILE) || external.equals(FoldHeads.FILE) || external.equals(MANIFEST)) {
                throw new BundleException("The model's external data file '" + external + "' cannot be bundled "
                        + "(it must be a file next to the model, not named " + MODEL + ", " + spec.tokenizer() + ", "
                        + LinearHead.FILE + ", " + FoldHeads.FILE + " or " + MANIFEST + ")");
            }
            Files.createDirectories(target.getParent());
            linkOrCopy(source.resolve(external), target, link);
            files.put(external, sha256(target));
        }
        linkOrCopy(tokenizer, tmp.resolve(spec.tokenizer()), link);
        files.put(spec.tokenizer(), sha256(tmp.resolve(spec.tokenizer())));
        return files;
    }

    /** Bundles are never changed in place, so a hard link to another bundle's file is safe (a user's is not). */
    private static void linkOrCopy(Path source, Path target, boolean link) throws IOException {
        if (link) {
            try {
                Files.createLink(target, source.toAbsolutePath());
                return;
            } catch (IOException | UnsupportedOperationException e) {
                // Another file system, or one without hard links: the bundle gets its own copy.
                log.debug("Copying {} into the bundle, as it cannot be hard-linked: {}", source, e.toString());
            }
        }
        Files.copy(source, target);
    }

    private interface Contents {
        /** Writes the bundle's files into {@code tmp} and returns its manifest. */
        Manifest write(Path tmp) throws IOException;
    }

    /** Fills a temporary sibling folder, writes the manifest last and renames the folder to {@code dir}. */
    private static ModelBundle writeAtomically(Path dir, Contents contents) {
        if (Files.exists(dir)) {
            throw new BundleException("Bundle folder " + dir + " already exists; bundles are never overwritten");
        }
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            Manifest manifest = contents.write(tmp);
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
        BundleKind kind;
        try {
            kind = manifest.bundleKind();
        } catch (BundleException e) {
            throw new BundleException("Bundle " + dir + " needs " + e.getMessage() + "; refusing to serve it");
        }
        String unsupported = switch (kind) {
            case HASHED_NGRAM -> manifest.featurizer() == null ? "no featurizer spec" : manifest.featurizer().unsupportedReason();
            case HF_SEQUENCE_CLASSIFIER -> manifest.transformer() == null ? "a 'transformer' section (it has none)"
                    : manifest.files().containsKey(manifest.transformer().tokenizer()) ? null
                    : "its tokenizer " + manifest.transformer().tokenizer() + " listed under 'files'";
            case EMBEDDING_HEAD -> manifest.transformer() == null ? "a 'transformer' section (it has none)"
                    : !manifest.files().containsKey(manifest.transformer().tokenizer())
                    ? "its tokenizer " + manifest.transformer().tokenizer() + " listed under 'files'"
                    : manifest.files().containsKey(LinearHead.FILE) || manifest.files().containsKey(FoldHeads.FILE) ? null
                    : "its head " + LinearHead.FILE + " (or heads " + FoldHeads.FILE + ") listed under 'files'";
        };
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
     * {@link #open} plus the serving checks: ONNX Runtime loads the model on the requested device (with its
     * tokenizer, which must fit it, for a transformer bundle) and it scores every probe as the manifest says.
     *
     * @param expectedSpec the spec the caller featurizes with (e.g. from the ModelVersion record), or null;
     *                     only hashed n-gram bundles have one
     */
    public static BundleScorer load(Path dir, ScorerSettings settings, FeaturizerSpec expectedSpec) {
        ModelBundle bundle = open(dir);
        Manifest manifest = bundle.manifest();
        BiFunction<Manifest.Probe, Float, Optional<String>> withinTolerance = (probe, observed) ->
                Math.abs(observed - probe.score()) <= manifest.transformer().probeTolerance() ? Optional.empty()
                        : Optional.of(probe.score() + " +- " + manifest.transformer().probeTolerance());
        if (manifest.bundleKind() == BundleKind.HF_SEQUENCE_CLASSIFIER) {
            TransformerScorer scorer = openTransformer(dir, manifest.transformer(), settings);
            return checkedProbes(dir, manifest, scorer, scorer::score, withinTolerance);
        }
        if (manifest.bundleKind() == BundleKind.EMBEDDING_HEAD) {
            EmbeddingHeadScorer scorer = openEmbeddingHead(dir, manifest.sha256(), manifest.transformer(), settings,
                    EmbeddingCache.shared());
            // The probes run through the encoder, not the cache: they check this bundle's files.
            return checkedProbes(dir, manifest, scorer, scorer::scoreUncached, withinTolerance);
        }
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
        return checkedProbes(dir, manifest, scorer, scorer::score,
                (probe, observed) -> ProbeCheck.mismatch(probe, observed, manifest.featurizer()));
    }

    private static TransformerScorer openTransformer(Path dir, TransformerSpec spec, ScorerSettings settings) {
        try {
            return TransformerScorer.open(dir.resolve(MODEL), dir.resolve(spec.tokenizer()), spec, settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BundleException("Bundle " + dir + " does not load: " + e.getMessage(), e);
        }
    }

    /**
     * The encoder of an embedding-head bundle without its head, after {@link #open}'s checks, for training the next
     * head: its embeddings go through the process's {@link EmbeddingCache}, shared with the scorer.
     */
    public static EmbeddingHeadScorer openEncoder(Path dir, ScorerSettings settings) {
        Manifest manifest = open(dir).manifest();
        if (manifest.bundleKind() != BundleKind.EMBEDDING_HEAD) {
            throw new BundleException("Bundle " + dir + " is of kind " + manifest.bundleKind().id() + ", not "
                    + BundleKind.EMBEDDING_HEAD.id() + ": it has no encoder to train a head on");
        }
        try {
            return EmbeddingHeadScorer.open(dir.resolve(MODEL), manifest.sha256(), dir.resolve(manifest.transformer().tokenizer()),
                    manifest.transformer(), null, EmbeddingCache.shared(), settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BundleException("Bundle " + dir + " does not load: " + e.getMessage(), e);
        }
    }

    /** The encoder of an embedding-head bundle, as files: what the next version's heads are trained and written on. */
    public static EncoderFiles encoderFiles(Path dir) {
        Manifest manifest = open(dir).manifest();
        if (manifest.bundleKind() != BundleKind.EMBEDDING_HEAD) {
            throw new BundleException("Bundle " + dir + " is of kind " + manifest.bundleKind().id() + ", not "
                    + BundleKind.EMBEDDING_HEAD.id() + ": it has no encoder to train a head on");
        }
        return new EncoderFiles("the encoder of " + manifest.name() + " " + manifest.version(), dir.resolve(MODEL),
                dir.resolve(manifest.transformer().tokenizer()), manifest.transformer());
    }

    /** The heads of an embedding-head bundle (its files' sha256 checked first), all of one dimension. */
    public static FoldHeads heads(Path dir) {
        encoderFiles(dir);
        return FoldHeads.read(dir);
    }

    private static EmbeddingHeadScorer openEmbeddingHead(Path dir, String encoderSha256, TransformerSpec spec,
                                                         ScorerSettings settings, EmbeddingCache cache) {
        try {
            return EmbeddingHeadScorer.open(dir.resolve(MODEL), encoderSha256, dir.resolve(spec.tokenizer()), spec,
                    dir, cache, settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BundleException("Bundle " + dir + " does not load: " + e.getMessage(), e);
        }
    }

    private static <S extends BundleScorer> S checkedProbes(Path dir, Manifest manifest, S scorer,
                                                            java.util.function.Function<List<String>, float[]> probe,
                                                            BiFunction<Manifest.Probe, Float, Optional<String>> check) {
        List<String> texts = manifest.probes().stream().map(Manifest.Probe::text).toList();
        float[] scores = probe.apply(texts);
        for (int i = 0; i < scores.length; i++) {
            Optional<String> mismatch = check.apply(manifest.probes().get(i), scores[i]);
            if (mismatch.isPresent()) {
                scorer.close();
                throw new BundleException("Bundle " + dir + " does not compute the model its manifest describes: on "
                        + scorer.device() + " it scores probe " + i + " as " + scores[i] + ", the manifest says "
                        + mismatch.get() + "; refusing to serve it");
            }
        }
        return scorer;
    }

    /**
     * Copies a bundle (its manifest and the files it lists) to {@code target}, written beside it and moved into place,
     * so that a folder at {@code target} is always whole. Refuses a target that exists.
     */
    public static Path copy(Path dir, Path target) {
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " exists already");
        }
        Manifest manifest = open(dir).manifest();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + java.util.UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            for (String file : manifest.files().keySet()) {
                Files.copy(dir.resolve(file), tmp.resolve(file));
            }
            Files.copy(dir.resolve(MANIFEST), tmp.resolve(MANIFEST));
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BundleException("Cannot copy the bundle " + dir + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * The bundle's digest: the sha256 of its manifest, which lists every other file's sha256, so that it covers the
     * probes, threshold and spec as well as the model (a version's {@code sha256} before this covered model.onnx only).
     */
    public static String digest(Path dir) {
        return sha256(dir.resolve(MANIFEST));
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

    /** A temporary folder left by a failed write: named as such and never served, so a failure to delete it is no error. */
    private static void deleteQuietly(Path dir) {
        org.apache.commons.io.FileUtils.deleteQuietly(dir.toFile());
    }
}
