package io.recurate.model.transformer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Embeddings already computed, so that a document is run through an encoder once: pass 2 onward (and the trainer,
 * in the same process) cost a head evaluation. Keyed by the encoder's sha256 and the SHA-256 of the document's text
 * (not its id: a document republished under its id with another text must not be scored on its old embedding).
 * Bounded: the least recently used embeddings go when the cache holds more than its bytes; they are computed again
 * when asked for. One per process ({@link #shared()}), sized by {@code RECURATE_EMBEDDING_CACHE_MB} or the system
 * property {@code recurate.embedding.cache.mb} (default 1024: about 700,000 embeddings of 384 dimensions).
 */
public final class EmbeddingCache {
    static final long DEFAULT_MB = 1024;
    /** Key and map entry overhead, besides the floats. */
    private static final int ENTRY_OVERHEAD = 160;
    private static volatile EmbeddingCache shared;

    private final long maxBytes;
    private final Map<String, float[]> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;
    private final LongAdder computed = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder loaded = new LongAdder();
    private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Told of every embedding an encoder computed (not of those loaded from elsewhere), e.g. to share it. */
    @FunctionalInterface
    public interface Listener {
        void computed(String key, float[] embedding);
    }

    public EmbeddingCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The process's cache, shared by every bundle loaded in it (scorer and trainer alike). */
    public static EmbeddingCache shared() {
        if (shared == null) {
            synchronized (EmbeddingCache.class) {
                if (shared == null) {
                    String mb = System.getProperty("recurate.embedding.cache.mb", System.getenv("RECURATE_EMBEDDING_CACHE_MB"));
                    shared = new EmbeddingCache((mb == null || mb.isBlank() ? DEFAULT_MB : Long.parseLong(mb.trim())) << 20);
                }
            }
        }
        return shared;
    }

    /** The cache key of a text under an encoder: the encoder's sha256 and the first 128 bits of the text's. */
    public static String key(String encoderSha256, String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return encoderSha256 + ":" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized float[] get(String key) {
        float[] e = entries.get(key);
        if (e != null) {
            hits.increment();
        }
        return e;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Records an embedding the encoder just computed, and tells the listeners. */
    void put(String key, float[] embedding) {
        computed.increment();
        store(key, embedding);
        for (Listener l : listeners) {
            l.computed(key, embedding);
        }
    }

    /** Records an embedding computed elsewhere (read from the embeddings topic): listeners are not told. */
    public void putLoaded(String key, float[] embedding) {
        loaded.increment();
        store(key, embedding);
    }

    public synchronized boolean contains(String key) {
        return entries.containsKey(key);
    }

    private synchronized void store(String key, float[] embedding) {
        float[] old = entries.put(key, embedding);
        bytes += size(key, embedding) - (old == null ? 0 : size(key, old));
        var eldest = entries.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            var e = eldest.next();
            bytes -= size(e.getKey(), e.getValue());
            eldest.remove();
        }
    }

    private static long size(String key, float[] embedding) {
        return ENTRY_OVERHEAD + 2L * key.length() + 4L * embedding.length;
    }

    /** Embeddings the encoders computed so far (each a document run through an encoder). */
    public long computed() {
        return computed.sum();
    }

    /** Embeddings loaded from elsewhere so far. */
    public long loaded() {
        return loaded.sum();
    }

    /** Embeddings served from the cache so far. */
    public long hits() {
        return hits.sum();
    }

    public synchronized int size() {
        return entries.size();
    }
}
