package io.recurate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import io.recurate.curation.ingest.IngestPublisher;
import io.recurate.curation.ingest.PublishSummary;
import io.recurate.corpus.CorpusReaders;
import io.recurate.corpus.ReadOptions;
import io.recurate.corpus.ShardFormat;
import io.recurate.corpus.ShardedWriter;
import io.recurate.corpus.SourceDocument;
import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import io.recurate.topics.TopicSpec;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Documents/s and MB/s of 'recurate publish' for JSONL.gz, JSONL.zst and Parquet files of the same",
                "documents, against kafka-producer-perf-test sending as many records of the same average size with the",
                "same producer settings (acks=all, idempotent, lz4, linger 20 ms, 512 kB batches). Starts its own embedded",
                "broker and registry under --work."})
final class PublishBenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--data", defaultValue = "../shared/data/spamassassin-dev.jsonl.gz", paramLabel = "FILE",
            description = "Corpus whose texts are repeated (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--documents", defaultValue = "200000", description = "Documents per file (default: ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the ingest topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--work", defaultValue = "target/bench-publish", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path run = work.resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(run);
        List<String> texts = new ArrayList<>();
        CorpusReaders.read(data, ReadOptions.defaults(), (SourceDocument d) -> texts.add(d.text()), b -> { });
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("No documents in " + data);
        }
        Map<String, Path> files = writeFiles(run, texts);
        out.printf("Corpus: %,d documents made from %s (%,d distinct texts); files: %s%n%n", documents, data, texts.size(),
                files.entrySet().stream().map(e -> e.getKey() + " " + String.format("%.1f MB", size(e.getValue()) / 1e6)).toList());
        out.flush();
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(run.resolve("kafka")));
             EmbeddedRegistry registryServer = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()))) {
            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            RecurateSerdes serdes = new RecurateSerdes(new RegistryClient(RegistryConfig.of(registryServer.url())));
            String row = "%-38s %10s %9s %16s%n";
            out.printf(row, "configuration", "docs/s", "MB/s", "vs perf-test");
            Map<String, double[]> rates = new LinkedHashMap<>();
            long avgRecord = 0;
            for (var file : files.entrySet()) {
                TopicPlan plan = new TopicPlan("bench-" + file.getKey(), partitions, (short) 1);
                try (TopicAdmin admin = new TopicAdmin(kafka)) {
                    admin.ensure(plan.baseTopics());
                }
                RecurateTopics topics = new RecurateTopics(plan, serdes);
                PublishSummary s = new IngestPublisher(kafka, topics, ReadOptions.defaults(), false)
                        .publish(List.of(file.getValue()), IngestPublisher.Listener.NONE);
                rates.put(file.getKey(), new double[] {s.published() / s.seconds(), s.bytes() / 1e6 / s.seconds()});
                if (avgRecord == 0) {
                    avgRecord = averageRecordBytes(topics, texts);
                }
            }
            try (TopicAdmin admin = new TopicAdmin(kafka)) {
                admin.ensure(List.of(new TopicSpec("bench.raw", partitions, (short) 1,
                        new TopicPlan("bench", partitions, (short) 1).ingest().configs(), null)));
            }
            double raw = KafkaPerfTest.producerRecordsPerSecond("bench.raw", documents, avgRecord, List.of(
                    "bootstrap.servers=" + broker.bootstrapServers(), "acks=all", "enable.idempotence=true",
                    "compression.type=lz4", "linger.ms=20", "batch.size=524288"));
            for (var e : rates.entrySet()) {
                out.printf(row, "publish " + e.getKey(), String.format("%,.0f", e.getValue()[0]),
                        String.format("%.1f", e.getValue()[1]), String.format("%.2f", e.getValue()[0] / raw));
            }
            out.printf(row, "kafka-producer-perf-test, " + avgRecord + " B", String.format("%,.0f", raw),
                    String.format("%.1f", raw * avgRecord / 1e6), "1.00");
            out.printf("%npublish reads and decompresses the file, parses each record, hashes its text (sha256), checks its id "
                    + "against those already published, serializes it as Avro and sends it; perf-test sends ready-made "
                    + "payloads of %d bytes (the average Avro record).%n", avgRecord);
            out.flush();
        }
        return 0;
    }

    private Map<String, Path> writeFiles(Path dir, List<String> texts) throws Exception {
        Path gz = dir.resolve("corpus.jsonl.gz");
        Path zst = dir.resolve("corpus.jsonl.zst");
        try (Writer g = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(gz), 1 << 16), StandardCharsets.UTF_8));
             Writer z = new BufferedWriter(new OutputStreamWriter(new ZstdOutputStream(Files.newOutputStream(zst)), StandardCharsets.UTF_8))) {
            for (int i = 0; i < documents; i++) {
                String line = JSON.createObjectNode().put("id", "b-" + i).put("text", texts.get(i % texts.size()))
                        .put("lang", "en").toString() + "\n";
                g.write(line);
                z.write(line);
            }
        }
        Schema schema = SchemaBuilder.record("doc").fields().requiredString("id").requiredString("text").requiredString("lang").endRecord();
        Path parquetDir = dir.resolve("parquet");
        try (ShardedWriter w = new ShardedWriter(parquetDir, ShardFormat.PARQUET, schema, Long.MAX_VALUE)) {
            for (int i = 0; i < documents; i++) {
                var r = new GenericData.Record(schema);
                r.put("id", "b-" + i);
                r.put("text", texts.get(i % texts.size()));
                r.put("lang", "en");
                w.write(r);
            }
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("jsonl.gz", gz);
        files.put("jsonl.zst", zst);
        files.put("parquet", parquetDir.resolve("part-00000.parquet"));
        return files;
    }

    /** The Avro size of the documents as published, averaged over the distinct texts. */
    private static long averageRecordBytes(RecurateTopics topics, List<String> texts) {
        var serializer = topics.ingest().valueSerde().serializer();
        long total = 0;
        for (int i = 0; i < texts.size(); i++) {
            Document d = Document.newBuilder().setId("b-" + i).setText(texts.get(i)).setSource("corpus.jsonl.gz")
                    .setContentSha256("0".repeat(64)).setMetadata(Map.of("lang", "en")).setIngestedAt(Instant.now()).build();
            total += serializer.serialize(topics.ingest().name(), d).length;
        }
        return total / texts.size();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
