package io.recurate.ledger;

import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.topics.TopicScan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <ns>.embeddings}: the embeddings an encoder computed in one process, for every other process of the run. A
 * scorer publishes each embedding it computes ({@link #publisher}); a trainer (or a scorer started later) reads the
 * ones it needs into its {@link EmbeddingCache} before it would run the encoder ({@link #load}). An embedding is a
 * function of the encoder and the text, so the topic is a cache, not a record of decisions: it is written outside the
 * scorer's transactions (a duplicate after a retry carries the same value under the same key, and compaction keeps one),
 * and an embedding lost with a crashed scorer is computed again by whoever needs it, never a wrong one used.
 */
public final class EmbeddingTopic {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingTopic.class);

    private EmbeddingTopic() {
    }

    /** A listener that sends every embedding the process's encoders compute to {@code topic}; close it to flush. */
    public static final class Publisher implements EmbeddingCache.Listener, AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final String topic;
        private final AtomicLong failed = new AtomicLong();

        private Publisher(Map<String, Object> kafkaConfig, String topic) {
            Map<String, Object> config = new HashMap<>(kafkaConfig);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            config.put(ProducerConfig.LINGER_MS_CONFIG, 50);
            this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
            this.topic = topic;
        }

        @Override
        public void computed(String key, float[] embedding) {
            producer.send(new ProducerRecord<>(topic, key, bytes(embedding)), (metadata, error) -> {
                if (error != null && failed.getAndIncrement() == 0) {
                    log.warn("Could not share an embedding on {} ({}); whoever needs it computes it again", topic,
                            error.getMessage());
                }
            });
        }

        void flush() {
            producer.flush();
        }

        @Override
        public void close() {
            producer.close();
        }
    }

    /** Waits until what the process's publisher for {@code topic} sent is acknowledged (nothing when there is none). */
    public static void flush(String topic) {
        Publisher publisher;
        synchronized (SHARING) {
            Shared shared = SHARING.get(topic);
            publisher = shared == null ? null : shared.publisher;
        }
        if (publisher != null) {
            publisher.flush();
        }
    }

    public static Publisher publisher(Map<String, Object> kafkaConfig, String topic) {
        return new Publisher(kafkaConfig, topic);
    }

    private static final Map<String, Shared> SHARING = new HashMap<>();

    /** One publisher per topic and process, however many services of the process share it. */
    private static final class Shared {
        final Publisher publisher;
        int users;

        Shared(Publisher publisher) {
            this.publisher = publisher;
        }
    }

    /**
     * Shares every embedding {@code cache} computes on {@code topic} until the returned handle is closed; a second
     * service of the process (the loop beside its scorer) sharing the same topic adds no second publisher.
     */
    public static AutoCloseable share(EmbeddingCache cache, Map<String, Object> kafkaConfig, String topic) {
        synchronized (SHARING) {
            Shared shared = SHARING.computeIfAbsent(topic, t -> {
                Shared s = new Shared(new Publisher(kafkaConfig, t));
                cache.addListener(s.publisher);
                return s;
            });
            shared.users++;
        }
        return () -> {
            synchronized (SHARING) {
                Shared shared = SHARING.get(topic);
                if (shared != null && --shared.users == 0) {
                    SHARING.remove(topic);
                    cache.removeListener(shared.publisher);
                    shared.publisher.close();
                }
            }
        };
    }

    /**
     * Reads the embeddings of {@code keys} that the topic holds and the cache lacks into the cache (listeners are not
     * told: they were shared already). Nothing is read when the cache has them all (scorer and trainer in one process).
     *
     * @return how many were loaded
     */
    public static long load(Map<String, Object> kafkaConfig, String topic, EmbeddingCache cache, Set<String> keys) {
        if (keys.stream().allMatch(cache::contains)) {
            return 0;
        }
        long[] loaded = {0};
        TopicScan.read(kafkaConfig, topic, new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                (String key, byte[] value) -> {
                    if (key != null && value != null && keys.contains(key) && !cache.contains(key)) {
                        cache.putLoaded(key, floats(value));
                        loaded[0]++;
                    }
                });
        return loaded[0];
    }

    static byte[] bytes(float[] embedding) {
        ByteBuffer buffer = ByteBuffer.allocate(embedding.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(embedding);
        return buffer.array();
    }

    static float[] floats(byte[] value) {
        float[] out = new float[value.length / Float.BYTES];
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
