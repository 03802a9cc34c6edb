package io.recurate.scorer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recurate.ledger.ModelVersions;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.score.Scorer;
import io.recurate.model.transformer.EmbeddingCache;
import java.util.List;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.schemas.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions this scorer can serve. A version announced on {@code <ns>.models} is loaded
 * and checked as soon as it arrives (sha256, featurizer spec, probes: scoring the probes also warms
 * it up), so the next pass starts on a ready session; one that fails its checks is refused with a
 * log line and a metric, and whatever was serving goes on serving. Loaded sessions share the one
 * ONNX Runtime environment (and GPU context) of the process and stay open until the service stops.
 */
public final class ModelCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);

    private final ScorerSettings settings;
    /** In the order they were loaded. */
    private final Map<String, Scorer> loaded = new java.util.LinkedHashMap<>();
    /** Versions closed to free their sessions; loaded again if a pass (a rerun) asks for one. */
    private final Map<String, ModelVersion> evicted = new HashMap<>();
    private final Map<String, ModelVersion> announced = new HashMap<>();
    private final Map<String, String> refused = new HashMap<>();
    /** The announcements of refused versions, to try again when a pass pinned to one is started again. */
    private final Map<String, ModelVersion> refusedVersions = new HashMap<>();
    private final Counter swaps;
    private final Counter refusals;
    private final MeterRegistry meters;

    private final java.util.function.Function<String, java.nio.file.Path> bundles;

    /** A cache that opens {@code file:} bundles only. */
    public ModelCache(ScorerSettings settings, MeterRegistry meters) {
        this(settings, meters, ModelVersions::bundlePath);
    }

    /** @param bundles where a bundle URI is on this host ({@link io.recurate.ledger.BundleStore#resolver}) */
    public ModelCache(ScorerSettings settings, MeterRegistry meters, java.util.function.Function<String, java.nio.file.Path> bundles) {
        this.settings = settings;
        this.bundles = bundles;
        this.meters = meters;
        this.swaps = Counter.builder("recurate.model.loads").description("Model versions loaded and checked")
                .register(meters);
        this.refusals = Counter.builder("recurate.model.refusals").description("Model versions refused by their checks")
                .register(meters);
        // Embedding-head bundles: documents run through an encoder, and embeddings served from the process's cache.
        EmbeddingCache embeddings = EmbeddingCache.shared();
        io.micrometer.core.instrument.FunctionCounter.builder("recurate.embeddings.computed", embeddings,
                EmbeddingCache::computed).description("Embeddings computed by an encoder (each once per document "
                        + "and encoder while the cache holds it)").register(meters);
        io.micrometer.core.instrument.FunctionCounter.builder("recurate.embeddings.cached", embeddings,
                EmbeddingCache::hits).description("Embeddings served from the cache").register(meters);
    }

    /** Loads and checks a newly announced version; never throws. */
    public synchronized void offer(ModelVersion version) {
        String key = key(version.getName(), version.getVersion());
        if (loaded.containsKey(key) || refused.containsKey(key)) {
            return;
        }
        evicted.remove(key);
        announced.put(key, version);
        long start = System.nanoTime();
        try {
            ModelVersions.Loaded version0 = ModelVersions.load(version, settings, bundles);
            loaded.put(key, version0.scorer());
            swaps.increment();
            List<BundleScorer> sessions = version0.sessions();
            String device = sessions.get(0).device();
            io.micrometer.core.instrument.FunctionCounter.builder("recurate.scorer.featurize.seconds", sessions,
                    s -> s.stream().mapToDouble(BundleScorer::featurizeSeconds).sum()).description("Time spent featurizing (tokenizing, for a transformer bundle)")
                    .baseUnit("seconds").tags("model_version", version.getVersion(), "device", device).register(meters);
            io.micrometer.core.instrument.FunctionCounter.builder("recurate.scorer.inference.seconds", sessions,
                    s -> s.stream().mapToDouble(BundleScorer::inferenceSeconds).sum()).description("Time spent in ONNX Runtime")
                    .baseUnit("seconds").tags("model_version", version.getVersion(), "device", device).register(meters);
            log.info("Model {} {} ({}) loaded, checked and warmed up on {} in {} ms; ready for the next pass",
                    version.getName(), version.getVersion(), sessions.size() == 1 ? "one bundle" : sessions.size() + " fold bundles",
                    device, Duration.ofNanos(System.nanoTime() - start).toMillis());
        } catch (RuntimeException e) {
            refused.put(key, e.getMessage());
            refusedVersions.put(key, version);
            refusals.increment();
            log.error("Refusing model {} {} from {}: {}. The running model keeps serving.", version.getName(),
                    version.getVersion(), version.getArtifactUri(), e.getMessage());
        }
        notifyAll();
    }

    /** A version this scorer will not serve, and why. */
    public static final class RefusedException extends IllegalStateException {
        private final String reason;

        RefusedException(String name, String version, String reason) {
            super("Model " + name + " " + version + " was refused: " + reason);
            this.reason = reason;
        }

        public String getReason() {
            return reason;
        }
    }

    /**
     * The scorer of a version, waiting up to {@code timeout} for it to be announced and loaded.
     *
     * @throws RefusedException when it was refused
     * @throws IllegalStateException when it did not arrive in time
     */
    public synchronized Scorer await(String name, String version, Duration timeout) throws InterruptedException {
        String key = key(name, version);
        if (evicted.containsKey(key)) {
            log.info("Loading model {} {} again (closed to free memory before) for a pass pinned to it", name, version);
            offer(evicted.remove(key));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!loaded.containsKey(key)) {
            if (refused.containsKey(key)) {
                throw new RefusedException(name, version, refused.get(key));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("Model " + name + " " + version + " was not announced on the models topic within "
                        + timeout.toSeconds() + " s");
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return loaded.get(key);
    }

    /**
     * Forgets a refusal and loads the version again: a pass pinned to it was started again, perhaps after its bundle
     * was mended; a refusal is kept for one attempt of a pass, not for the life of the process.
     */
    public synchronized void retryRefused(String name, String version) {
        String key = key(name, version);
        ModelVersion announced = refusedVersions.remove(key);
        if (announced != null && refused.remove(key) != null) {
            log.info("Loading model {} {} again (refused before) for a pass started again", name, version);
            offer(announced);
        }
    }

    /**
     * A pass pinned to {@code version} starts: the versions loaded before it are closed (no pass of this scorer is
     * pinned to them any more: passes are scored one after the other), so that a long loop holds two versions at
     * most, the one serving and the next one announced, not every version it ever served. One asked for again (a
     * rerun of an old pass) is loaded again.
     */
    public synchronized void retainFrom(String name, String version) {
        String keep = key(name, version);
        if (!loaded.containsKey(keep)) {
            return;
        }
        var it = loaded.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getKey().equals(keep)) {
                break; // this one and those loaded after it stay
            }
            e.getValue().close();
            it.remove();
            evicted.put(e.getKey(), announced.get(e.getKey()));
            log.info("Closed model {} (no pass of this scorer is pinned to it)", e.getKey().replace('\u0000', ' '));
        }
    }

    /** The versions loaded now, oldest first ("name version"). */
    public synchronized List<String> loadedVersions() {
        return loaded.keySet().stream().map(k -> k.replace('\u0000', ' ')).toList();
    }

    public synchronized int refusedCount() {
        return refused.size();
    }

    static Path bundlePath(String artifactUri) {
        return ModelVersions.bundlePath(artifactUri);
    }

    private static String key(String name, String version) {
        return name + "\u0000" + version;
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(Scorer::close); // close waits for a batch in flight (score is synchronized)
        loaded.clear();
    }
}
