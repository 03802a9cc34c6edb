package io.recurate.cli.loop;

import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.schemas.Document;
import io.recurate.topics.RecurateTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes a JSONL corpus ({@code {"id"?, "text", "label"?}}) to the ingest topic: id given or the
 * sha256 of the text, the label kept as metadata so reports can measure what a pass did. The full
 * publisher (Parquet, zstd, field mapping) is the ingest issue's; this is what the loop needs.
 */
public final class CorpusPublisher {
    private CorpusPublisher() {
    }

    /** @return documents published */
    public static long publish(Map<String, Object> kafkaConfig, RecurateTopics topics, Path corpus) {
        var ingest = topics.ingest();
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 * 1024 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 192L * 1024 * 1024); // room for 50 MB documents
        long count = 0;
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        try (JsonlReader reader = JsonlReader.open(corpus, JsonlReader.OnError.SKIP, false);
             var producer = new KafkaProducer<>(config, ingest.keySerde().serializer(), ingest.valueSerde().serializer())) {
            while (reader.hasNext()) {
                LabelledText t = reader.next();
                String sha = sha256(t.text());
                boolean hasId = !t.id().equals(corpus.getFileName() + ":" + t.line()); // the reader's stand-in id
                String id = hasId ? t.id() : sha;
                Map<String, String> metadata = new HashMap<>();
                if (t.violating() != null) {
                    metadata.put("label", t.violating() ? "violating" : "acceptable");
                }
                Document doc = Document.newBuilder().setId(id).setText(t.text()).setSource(corpus.getFileName().toString())
                        .setContentSha256(sha).setMetadata(metadata).setIngestedAt(Instant.now()).build();
                producer.send(new ProducerRecord<>(ingest.name(), id, doc), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, new IllegalStateException("Cannot publish document " + id + " of "
                                + corpus + " (line " + t.line() + "): " + e.getMessage(), e));
                    }
                });
                count++;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw (RuntimeException) failure.get();
        }
        return count;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
