package io.recurate.ledger;

import io.recurate.topics.ClusterWait;
import io.recurate.topics.TopicPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model bundles kept in the cluster itself, so that a scorer on any host reaches them with nothing but its
 * Kafka settings: each file of a bundle folder in chunks of at most 1 MiB on the compacted topic
 * {@code <ns>.bundles}, every chunk carrying its file's sha256 and chunk count. A bundle is written (and
 * acknowledged by {@code acks=all}) before its version is announced; it is addressed as
 * {@code kafka:<topic>/<prefix>}. A reader downloads it once into a local cache folder, checks every file's
 * sha256 and chunk count, and moves it into place atomically; the serving checks (the manifest's sha256
 * against the announcement, probes) then run on that folder as on any other.
 */
public final class BundleStore {
    private static final Logger log = LoggerFactory.getLogger(BundleStore.class);
    public static final String SCHEME = "kafka:";
    private static final String CHUNKS = "recurate.chunks";
    private static final String SHA256 = "recurate.sha256";

    private final Map<String, Object> kafkaConfig;

    public BundleStore(Map<String, Object> kafkaConfig) {
        this.kafkaConfig = kafkaConfig;
    }

    public static boolean isKafka(String uri) {
        return uri != null && uri.startsWith(SCHEME);
    }

    /**
     * Writes every file under {@code folder} under {@code prefix} and returns the bundle's URI; written again whole
     * while the cluster does not answer (same keys, so a second copy only replaces the first).
     */
    public String upload(Path folder, String topic, String prefix) {
        return ClusterWait.until("write bundle " + prefix + " to " + topic, () -> uploadOnce(folder, topic, prefix));
    }

    private String uploadOnce(Path folder, String topic, String prefix) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * TopicPlan.BUNDLE_CHUNK_BYTES);
        long bytes = 0;
        int files = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
             Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String name = folder.relativize(file).toString().replace('\\', '/');
                long size = Files.size(file);
                int chunks = (int) Math.max(1, (size + TopicPlan.BUNDLE_CHUNK_BYTES - 1) / TopicPlan.BUNDLE_CHUNK_BYTES);
                byte[] sha = sha256(file);
                try (InputStream in = Files.newInputStream(file)) {
                    for (int i = 0; i < chunks; i++) {
                        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, 0, prefix + "/" + name + "#" + i,
                                in.readNBytes(TopicPlan.BUNDLE_CHUNK_BYTES));
                        record.headers().add(CHUNKS, Integer.toString(chunks).getBytes(StandardCharsets.UTF_8));
                        record.headers().add(SHA256, HexFormat.of().formatHex(sha).getBytes(StandardCharsets.UTF_8));
                        producer.send(record);
                    }
                }
                bytes += size;
                files++;
            }
            producer.flush();
            // A send that failed fails the flush's futures; ask once more for an acknowledged marker to be sure.
            producer.send(new ProducerRecord<>(topic, 0, prefix + "/.complete#0", new byte[0])).get(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read bundle " + folder + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot write bundle " + folder + " to " + topic + ": " + e.getMessage(), e);
        }
        log.info("Bundle {} written to {} ({} files, {} MB)", prefix, topic, files, String.format("%.1f", bytes / 1e6));
        return SCHEME + topic + "/" + prefix;
    }

    /** The local folder of a {@code kafka:} bundle, downloaded into {@code cache} on first use. */
    public Path fetch(String uri, Path cache) {
        String rest = uri.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("Not a bundle address: " + uri + " (expected kafka:<topic>/<prefix>)");
        }
        String topic = rest.substring(0, slash);
        String prefix = rest.substring(slash + 1);
        Path target = cache.resolve(topic).resolve(prefix);
        if (Files.isDirectory(target)) {
            return target;
        }
        Map<String, TreeMap<Integer, byte[]>> chunks = new TreeMap<>();
        Map<String, String[]> expected = new HashMap<>(); // file -> {chunks, sha256}
        boolean complete = read(topic, prefix, chunks, expected);
        if (!complete) {
            throw new IllegalStateException("Bundle " + uri + " is not (or not completely) in " + topic);
        }
        Path staging = cache.resolve(".staging-" + UUID.randomUUID());
        try {
            for (var file : chunks.entrySet()) {
                String[] want = expected.get(file.getKey());
                int count = Integer.parseInt(want[0]);
                if (file.getValue().size() != count || file.getValue().lastKey() != count - 1) {
                    throw new IllegalStateException("Bundle " + uri + ": " + file.getKey() + " has " + file.getValue().size()
                            + " of its " + count + " chunks in " + topic);
                }
                Path out = staging.resolve(file.getKey());
                Files.createDirectories(out.getParent());
                MessageDigest sha = digest();
                try (OutputStream o = Files.newOutputStream(out)) {
                    for (byte[] chunk : file.getValue().values()) {
                        sha.update(chunk);
                        o.write(chunk);
                    }
                }
                String got = HexFormat.of().formatHex(sha.digest());
                if (!got.equals(want[1])) {
                    throw new IllegalStateException("Bundle " + uri + ": " + file.getKey() + " has sha256 " + got
                            + " after download, its chunks say " + want[1]);
                }
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                // another thread of this host fetched it first: the same bytes
            }
            log.info("Bundle {} downloaded from {} into {}", prefix, topic, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the downloaded bundle under " + cache + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Reads the prefix's chunks to the topic's end; true when its completion marker was seen. */
    private boolean read(String topic, String prefix, Map<String, TreeMap<Integer, byte[]>> chunks,
                         Map<String, String[]> expected) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "recurate-bundles-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * TopicPlan.BUNDLE_CHUNK_BYTES);
        boolean complete = false;
        String start = prefix + "/";
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = ClusterWait.until("read the end of " + topic,
                    () -> consumer.endOffsets(List.of(partition), Duration.ofSeconds(60)).get(partition));
            while (ClusterWait.until("read " + topic, () -> consumer.position(partition, Duration.ofSeconds(60))) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || !r.key().startsWith(start) || r.value() == null) {
                        continue;
                    }
                    int hash = r.key().lastIndexOf('#');
                    String file = r.key().substring(start.length(), hash);
                    if (file.equals(".complete")) {
                        complete = true;
                        continue;
                    }
                    chunks.computeIfAbsent(file, k -> new TreeMap<>()).put(Integer.parseInt(r.key().substring(hash + 1)), r.value());
                    expected.put(file, new String[] {header(r, CHUNKS), header(r, SHA256)});
                }
            }
        }
        return complete;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(Path file) throws IOException {
        MessageDigest sha = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return sha.digest();
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes a bundle {@link #fetch} downloaded, for a reader that needed it once (the loop reads a version's score
     * distribution once per pass): a cache of every version's bundle, encoders included, would grow without bound.
     */
    public static void evict(Path fetched) {
        deleteQuietly(fetched);
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover staging folder is harmless
        }
    }

    /** A resolver of bundle URIs for {@link ModelVersions#load}: {@code file:} as it is, {@code kafka:} via the cache. */
    public java.util.function.Function<String, Path> resolver(Path cache) {
        return uri -> isKafka(uri) ? fetch(uri, cache) : ModelVersions.bundlePath(uri);
    }
}
