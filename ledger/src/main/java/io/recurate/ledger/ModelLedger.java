package io.recurate.ledger;

import io.recurate.model.bundle.BundleKind;
import io.recurate.model.bundle.Manifest;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.schemas.ModelVersion;
import io.recurate.topics.RecurateTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model versions of a namespace: {@code <ns>.models} (compacted). Each version is keyed
 * {@code <name>:<version>}, so compaction keeps every version (a replay needs old ones); the record keyed by
 * the name alone is the promoted version, the one the next pass uses. The only code that reads or writes that
 * topic; it keeps one reader open and reads only what is new. {@link ModelVersions} opens a version's bundles.
 */
public final class ModelLedger implements AutoCloseable {
    private final CompactedTopic<ModelVersion> models;

    public ModelLedger(Map<String, Object> kafkaConfig, RecurateTopics topics) {
        this.models = new CompactedTopic<>(kafkaConfig, topics.models());
    }

    public static String key(ModelVersion version) {
        return key(version.getName(), version.getVersion());
    }

    /** The key of a version in {@code <ns>.models} and in {@link #versions()}. */
    public static String key(String name, String version) {
        return name + ":" + version;
    }

    /** Announces a version (it can be served once announced; versions are immutable). */
    public void announce(ModelVersion version) {
        models.write(key(version), version);
    }

    /** Makes {@code version} the one the next pass uses. */
    public void promote(ModelVersion version) {
        models.write(version.getName(), version);
    }

    /** Every version announced so far, by {@code <name>:<version>}, reading what is new first. */
    public Map<String, ModelVersion> versions() {
        models.catchUp();
        Map<String, ModelVersion> out = new LinkedHashMap<>();
        models.latest().forEach((k, v) -> {
            if (k.contains(":")) {
                out.put(k, v);
            }
        });
        return out;
    }

    public Optional<ModelVersion> version(String name, String version) {
        return Optional.ofNullable(versions().get(key(name, version)));
    }

    /** The promoted version of a model, if any. */
    public Optional<ModelVersion> promoted(String name) {
        models.catchUp();
        return Optional.ofNullable(models.latest().get(name));
    }

    /** For followers (the scorer): waits up to {@code timeout} and returns what was announced or promoted since. */
    public List<ModelVersion> follow(Duration timeout) {
        return models.poll(timeout);
    }

    /** Ends a {@link #follow} in progress in another thread. */
    public void wakeup() {
        models.wakeup();
    }

    /**
     * Announces a bundle made elsewhere (trained on the user's own infrastructure, say) as {@code version}
     * of {@code name}, after the checks every served bundle passes: sha256, featurizer spec, ONNX Runtime
     * loads it (with its tokenizer, for a Hugging Face classifier), probes score as its manifest says. Its provenance
     * is kept, with where it came from.
     */
    public ModelVersion announceBundle(Path dir, String name, String version) {
        return announceBundle(dir, name, version, (stored, v) -> dir.toAbsolutePath().toUri().toString());
    }

    /**
     * Checks a bundle from outside, stores it where every scorer reads bundles ({@code store}: the folder's copy or
     * upload, given the version's name; returns its URI), and announces it with the bundle's {@link ModelBundle#digest},
     * so that a bundle changed after it was published is refused.
     */
    public ModelVersion announceBundle(Path dir, String name, String version,
                                       java.util.function.BiFunction<Path, String, String> store) {
        ModelBundle.load(dir, new ScorerSettings(Device.CPU, 1, 64), null).close();
        Manifest manifest = ModelBundle.open(dir).manifest();
        String chosen = version != null ? version : manifest.version();
        Map<String, String> provenance = new LinkedHashMap<>();
        if (manifest.provenance() != null) {
            provenance.putAll(manifest.provenance());
        }
        provenance.put("origin", "published from " + dir.toAbsolutePath());
        if (versions().containsKey(key(name, chosen))) {
            throw new IllegalArgumentException("Version " + chosen + " of " + name
                    + " exists already; versions are immutable (choose another)");
        }
        String digest = ModelBundle.digest(dir);
        String uri = store.apply(dir, chosen);
        ModelVersion v = ModelVersion.newBuilder().setName(name).setVersion(chosen)
                .setParentVersion(manifest.parentVersion()).setArtifactUri(uri)
                .setSha256(digest).setKind(manifest.bundleKind().id())
                .setFeaturizerSpec(manifest.bundleKind() == BundleKind.HASHED_NGRAM ? manifest.featurizer().toJson()
                        : manifest.transformer().toJson())
                .setThreshold(manifest.threshold()).setProvenance(provenance)
                .setMetrics(manifest.metrics() == null ? Map.of() : manifest.metrics())
                .setCreatedAt(Instant.now()).build();
        if (versions().containsKey(key(v))) {
            throw new IllegalArgumentException("Version " + v.getVersion() + " of " + name
                    + " exists already; versions are immutable (choose another)");
        }
        announce(v);
        return v;
    }

    @Override
    public void close() {
        models.close();
    }
}
