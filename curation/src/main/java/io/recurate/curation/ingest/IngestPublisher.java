package io.recurate.curation.ingest;

import io.recurate.topics.TopicScan;
import io.recurate.corpus.BadInputException;
import io.recurate.corpus.CorpusReaders;
import io.recurate.corpus.ReadOptions;
import io.recurate.corpus.SourceDocument;
import io.recurate.schemas.Document;
import io.recurate.topics.RecurateTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes corpus files to {@code <ns>.docs.ingest}. Each document is keyed by its stable id (the
 * corpus's, else the sha256 of its text); an id already in the topic, or seen earlier in this run, is
 * counted as a duplicate and not sent again, so publishing a corpus twice leaves one copy. Bad records
 * are counted by cause and logged with file and line; under {@code failOnError} the first one stops
 * the publish after everything good before it was sent.
 */
public final class IngestPublisher {
    private static final Logger log = LoggerFactory.getLogger(IngestPublisher.class);
    private static final int MAX_LOGGED = 20;

    /** Progress callbacks: bytes of the files consumed, and documents published. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void bytesRead(long n) {
            }

            @Override
            public void published(PublishSummary soFar) {
            }
        };

        void bytesRead(long n);

        void published(PublishSummary soFar);
    }

    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final ReadOptions read;
    private final boolean failOnError;
    private final MessageDigest sha;
    private PublishSummary summary;

    public IngestPublisher(Map<String, Object> kafkaConfig, RecurateTopics topics, ReadOptions read, boolean failOnError) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.read = read;
        this.failOnError = failOnError;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @throws BadInputException under fail-on-error, after flushing what was published before it;
     *                           {@link #lastSummary()} then says how far it got
     */
    public PublishSummary publish(List<Path> files, Listener listener) {
        IdFingerprints known = existingIds();
        summary = new PublishSummary();
        String topic = topics.ingest().name();
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        long[] logged = {0};
        LongConsumer progress = listener::bytesRead;
        try (var producer = new KafkaProducer<>(producerConfig(), topics.ingest().keySerde().serializer(),
                topics.ingest().valueSerde().serializer())) {
            try {
                for (Path file : files) {
                    summary.file();
                    String source = file.toString();
                    CorpusReaders.read(file, read.withProgress(progress), doc -> {
                        byte[] utf8 = doc.text().getBytes(StandardCharsets.UTF_8);
                        String contentSha = HexFormat.of().formatHex(sha.digest(utf8));
                        String id = doc.id() != null ? doc.id() : contentSha;
                        IdFingerprints.Seen seen = known.add(id, IdFingerprints.contentOf(contentSha));
                        if (seen == IdFingerprints.Seen.OTHER_CONTENT) {
                            summary.conflict();
                            if (logged[0]++ < MAX_LOGGED) {
                                log.warn("{}: id '{}' was published before with a different text; the first is kept, "
                                        + "this one is not published", doc.position(), id);
                            }
                            return;
                        }
                        if (seen == IdFingerprints.Seen.SAME_CONTENT) {
                            summary.duplicate();
                            return;
                        }
                        Document value = toDocument(doc, id, contentSha, source);
                        String key = id;
                        producer.send(new ProducerRecord<>(topic, key, value), (meta, e) -> {
                            if (e != null) {
                                sendFailure.compareAndSet(null, new IllegalStateException("Cannot publish document " + key
                                        + " (" + doc.position() + ") to " + topic + ": " + e.getMessage(), e));
                            }
                        });
                        summary.published(utf8.length);
                        listener.published(summary);
                    }, bad -> {
                        summary.skipped(bad.cause());
                        if (failOnError) {
                            throw new BadInputException(bad);
                        }
                        if (logged[0]++ < MAX_LOGGED) {
                            log.warn("Skipped {}", bad);
                        } else if (logged[0] == MAX_LOGGED + 1) {
                            log.warn("More bad records follow; only their counts are reported");
                        }
                    });
                    if (sendFailure.get() != null) {
                        break;
                    }
                    log.info("Read {}", file);
                }
            } finally {
                producer.flush(); // everything good before a stop is published
                summary.finished();
            }
        }
        if (sendFailure.get() != null) {
            throw (RuntimeException) sendFailure.get();
        }
        return summary;
    }

    /** A published document's content fingerprint; unknown for a record that does not decode (it counts as the same). */
    private static long contentOf(org.apache.kafka.common.serialization.Deserializer<Document> documents, String topic,
                                  byte[] value) {
        if (value == null) {
            return IdFingerprints.UNKNOWN_CONTENT;
        }
        try {
            return IdFingerprints.contentOf(documents.deserialize(topic, value).getContentSha256());
        } catch (RuntimeException e) {
            return IdFingerprints.UNKNOWN_CONTENT;
        }
    }

    /** The summary of the last publish, also when it stopped at a bad record. */
    public PublishSummary lastSummary() {
        return summary;
    }

    private Document toDocument(SourceDocument doc, String id, String contentSha, String source) {
        return Document.newBuilder().setId(id).setText(doc.text()).setSource(source).setUrl(doc.url())
                .setContentSha256(contentSha).setMetadata(new HashMap<>(doc.metadata())).setIngestedAt(Instant.now()).build();
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 192L * 1024 * 1024); // room for documents up to the topic's 64 MiB
        config.putAll(kafkaConfig); // the user's client settings (--kafka-config) win
        return config;
    }

    /**
     * Ids already in the ingest topic with their content's sha256, so that a second publish of the same corpus
     * adds nothing and an id published before with another text is told apart.
     */
    private IdFingerprints existingIds() {
        IdFingerprints ids = new IdFingerprints();
        String topic = topics.ingest().name();
        log.info("Reading the ids already in {} to skip duplicates", topic);
        var documents = topics.ingest().valueSerde().deserializer();
        TopicScan.read(kafkaConfig, topic, new StringDeserializer(), new ByteArrayDeserializer(), (String key, byte[] value) -> {
            if (key != null) {
                ids.add(key, contentOf(documents, topic, value));
            }
        });
        if (ids.size() > 0) {
            log.info("{} ids already in {}", ids.size(), topic);
        }
        return ids;
    }

}
