package io.recurate.inspect.export;

import io.recurate.curation.ingest.IdFingerprints;
import io.recurate.topics.TopicScan;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.corpus.Shard;
import io.recurate.corpus.ShardFormat;
import io.recurate.corpus.ShardedWriter;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.topics.RecurateTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Writes what a pass decided (kept, removed, annotations) or the ingested corpus as size-bounded
 * shards, each folder with a {@code manifest.json}: counts, sha256 per shard, the source pass and model
 * version, and the topic offsets the export read up to.
 */
public final class CorpusExporter {
    public static final String MANIFEST = io.recurate.corpus.CorpusFiles.MANIFEST;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> kafkaConfig;
    private final RecurateTopics topics;
    private final ShardFormat format;
    private final long maxShardBytes;

    public CorpusExporter(Map<String, Object> kafkaConfig, RecurateTopics topics, ShardFormat format, long maxShardBytes) {
        this.kafkaConfig = kafkaConfig;
        this.topics = topics;
        this.format = format;
        this.maxShardBytes = maxShardBytes;
    }

    /** One folder written: what the manifest says. */
    public record Written(Path folder, String kind, long rows, List<Shard> shards) {
    }

    public Written exportIngest(Path folder) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", "ingest");
        return export(folder, "ingest", topics.ingest().name(), topics.ingest().valueSerde().deserializer(), ExportRows.DOCUMENT,
                (io.recurate.schemas.Document d, Consumer<GenericRecord> w) -> w.accept(ExportRows.document(d)), about);
    }

    /** The kept or removed documents of a pass. */
    public Written exportDecided(Path folder, PassStatus pass, boolean kept) {
        var topic = kept ? topics.kept(pass.getPass()) : topics.removed(pass.getPass());
        return export(folder, kept ? "kept" : "removed", topic.name(), topic.valueSerde().deserializer(),
                ExportRows.SCORED_DOCUMENT, (ScoredDocument s, Consumer<GenericRecord> w) -> w.accept(ExportRows.scored(s)),
                about(pass));
    }

    /**
     * The annotations of a pass, one row per document: records of the pass's pinned model version only
     * (a replay with another model is a variant, not the pass), the first per document (a replay with the
     * pinned model repeats the same decisions, which the rerun command checks).
     */
    public Written exportAnnotations(Path folder, PassStatus pass) {
        IdFingerprints seen = new IdFingerprints();
        var topic = topics.annotations();
        return export(folder, "annotations", topic.name(), topic.valueSerde().deserializer(), ExportRows.ANNOTATION,
                (Annotation a, Consumer<GenericRecord> w) -> {
                    if (a.getPass() == pass.getPass() && a.getModelVersion().equals(pass.getModelVersion()) && seen.add(a.getDocId())) {
                        w.accept(ExportRows.annotation(a));
                    }
                }, about(pass));
    }

    private interface RowMaker<V> {
        void rows(V value, Consumer<GenericRecord> writer);
    }

    private <V> Written export(Path folder, String kind, String topic, Deserializer<V> values, Schema schema, RowMaker<V> rows,
                               Map<String, Object> about) {
        try (ShardedWriter writer = new ShardedWriter(folder, format, schema, maxShardBytes)) {
            Map<Integer, Long> end = TopicScan.read(kafkaConfig, topic, values, v -> rows.rows(v, writer::write));
            List<Shard> shards = writer.finish();
            writeManifest(folder, kind, topic, about, end, writer.rows(), shards);
            return new Written(folder, kind, writer.rows(), shards);
        }
    }

    private Map<String, Object> about(PassStatus pass) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("pass", pass.getPass());
        about.put("pass_state", pass.getState().name());
        about.put("mode", pass.getMode().name());
        about.put("source_topic", pass.getSourceTopic());
        about.put("model_name", pass.getModelName());
        about.put("model_version", pass.getModelVersion());
        about.put("threshold", pass.getThreshold());
        return about;
    }

    private void writeManifest(Path folder, String kind, String topic, Map<String, Object> about, Map<Integer, Long> end,
                               long rows, List<Shard> shards) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("kind", kind);
        manifest.put("namespace", topics.plan().namespace());
        manifest.put("topic", topic);
        about.forEach((k, v) -> manifest.putIfAbsent(k, v));
        manifest.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
        manifest.put("rows", rows);
        manifest.put("bytes", shards.stream().mapToLong(Shard::bytes).sum());
        Map<String, Long> offsets = new LinkedHashMap<>();
        end.forEach((p, o) -> offsets.put(String.valueOf(p), o));
        manifest.put("topic_end_offsets", offsets);
        manifest.put("exported_at", Instant.now().toString());
        List<Map<String, Object>> shardList = shards.stream().map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", s.file());
            m.put("rows", s.rows());
            m.put("bytes", s.bytes());
            m.put("sha256", s.sha256());
            return m;
        }).toList();
        manifest.put("shards", shardList);
        try {
            JSON.writeValue(folder.resolve(MANIFEST).toFile(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + folder.resolve(MANIFEST) + ": " + e.getMessage(), e);
        }
    }
}
