package io.recurate.scorer;

import io.recurate.model.onnx.ScorerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the scorer service is configured with, read once and printed at start.
 *
 * @param kafkaConfig       client settings of the cluster (bootstrap servers, security), passed to every client
 * @param namespace         topic namespace
 * @param stateDir          Kafka Streams state folder (not /tmp: it survives reboots and is the node's own)
 * @param exactlyOnce       exactly_once_v2 (default) or at_least_once
 * @param streamThreads     Kafka Streams threads per pass
 * @param batch             batch size and wait
 * @param onnx              device, ONNX Runtime threads, inference batch
 * @param slowestBatch      how long one batch may take at most; sizes transaction and poll timeouts
 * @param scoringThreads    threads per pass that score batches while the stream threads read and write
 */
public record ScorerServiceConfig(Map<String, Object> kafkaConfig, String namespace, Path stateDir, boolean exactlyOnce,
                                  int streamThreads, BatchSettings batch, ScorerSettings onnx, Duration slowestBatch,
                                  int scoringThreads) {
    public ScorerServiceConfig {
        if (streamThreads < 1 || scoringThreads < 1) {
            throw new IllegalArgumentException("a pass needs at least one stream thread and one scoring thread, got "
                    + streamThreads + " and " + scoringThreads);
        }
    }

    /** With {@link #defaultScoringThreads()}. */
    public ScorerServiceConfig(Map<String, Object> kafkaConfig, String namespace, Path stateDir, boolean exactlyOnce,
                               int streamThreads, BatchSettings batch, ScorerSettings onnx, Duration slowestBatch) {
        this(kafkaConfig, namespace, stateDir, exactlyOnce, streamThreads, batch, onnx, slowestBatch,
                defaultScoringThreads());
    }

    /**
     * One per core: featurizing is most of a batch's work and runs on them in parallel (each partition has up to
     * one batch more handed over than there are scoring threads), while inference calls take turns on the model.
     */
    public static int defaultScoringThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Kafka Streams properties of one pass's application. */
    Properties streamsProperties(String applicationId) {
        Properties p = new Properties();
        kafkaConfig.forEach(p::put);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        long slowest = slowestBatch.toMillis();
        // A transaction spans at least one batch: give it room for the slowest one, and the poll loop too.
        // Not more: a scorer that dies for good holds read-committed readers back until its transaction times out.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), (int) Math.max(10_000, 2 * slowest));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), (int) Math.max(300_000, 10 * slowest));
        // A dead scorer's partitions move to a live one after 10 s, not the client default of 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // Documents up to 64 MiB, as the topic plan allows.
        int maxBytes = 64 * 1024 * 1024;
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxBytes);
        // A record must fit in the producer's buffer (32 MiB by default); it is taken as needed, not up front.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), 3L * maxBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxBytes);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), maxBytes);
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // Throughput (issue 16): a transaction per second instead of ten (each writes markers to every
        // partition it touched), and producer batches that hold many documents instead of three.
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024);
        return p;
    }

    /** Client settings with extra keys, for the service's own consumers and producers. */
    Map<String, Object> clientConfig(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.putAll(extra);
        return config;
    }
}
