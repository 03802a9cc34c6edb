package io.recurate.bench;

import io.recurate.model.score.BundleScorer;
import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.OnnxScorer;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.Scorer;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassCounts;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.PassRunner;
import io.recurate.ledger.PassLedger;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = {"End-to-end documents/s of the scoring topology through Kafka (exactly once, one stream thread",
                "unless --stream-threads, one model thread unless --onnx-threads), for several batch sizes, against the",
                "same topology with scoring replaced by pass-through, and against the raw broker (kafka-producer-perf-test and kafka-consumer-perf-test with",
                "the same record size). Starts its own embedded broker and registry under --work."})
final class ScorerBenchCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "../shared/data/spamassassin-dev.jsonl.gz", paramLabel = "FILE",
            description = "Corpus whose texts are repeated (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--documents", defaultValue = "100000", description = "Documents per pass (default: ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--batch-sizes", defaultValue = "1,32,256,1024", split = ",",
            description = "Batch sizes to sweep (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--stream-threads", defaultValue = "1", split = ",",
            description = "Kafka Streams threads of the scored configurations, swept like the batch sizes: 1,2 shows "
                    + "what a second thread (or a second scorer process) adds on this machine (default: ${DEFAULT-VALUE}).")
    List<Integer> streamThreads;

    @Option(names = "--onnx-threads", defaultValue = "1", split = ",",
            description = "Threads per batch (featurizing and ONNX Runtime) of the scored configurations, swept like the "
                    + "batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> onnxThreads;

    @Option(names = "--record-bytes", defaultValue = "0", paramLabel = "B",
            description = "Join consecutive texts of the corpus (a blank line between) until each holds at least B bytes, "
                    + "for larger records from the same corpus; 0 keeps them as they are (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the document topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--work", defaultValue = "target/bench-scorer", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path run = work.resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(run);
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(run.resolve("kafka")));
             EmbeddedRegistry registryServer = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()))) {
            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            RegistryClient registry = new RegistryClient(RegistryConfig.of(registryServer.url()));
            TopicPlan plan = new TopicPlan("bench", partitions, (short) 1);
            RecurateTopics topics = new RecurateTopics(plan, new RecurateSerdes(registry));
            try (TopicAdmin admin = new TopicAdmin(kafka)) {
                admin.ensure(plan.baseTopics());
            }
            List<LabelledText> corpus = new ArrayList<>();
            try (JsonlReader reader = JsonlReader.open(data, JsonlReader.OnError.SKIP, true)) {
                reader.forEachRemaining(corpus::add);
            }
            corpus = joined(corpus, recordBytes);
            long avgBytes = publish(kafka, topics, corpus);
            out.printf("Corpus: %d documents made from %s (%d distinct), %d bytes per record on average; "
                    + "%d partitions, embedded broker, exactly_once_v2%n%n", documents, data, corpus.size(), avgBytes, partitions);

            Path bundle = run.resolve("model");
            ModelBundle.write(new Trainer(io.recurate.model.featurize.FeaturizerSpec.defaults(), TrainerSettings.defaults())
                            .train(corpus.stream().map(LabelledText::toExample).iterator(), TrainingListener.NONE).model(),
                    new ModelBundle.Description("filter", "bench", null, 0.5f, Map.of(), Map.of()), OnnxExporter.defaults(), bundle);

            // The raw producer's rate moves with the broker's state (this machine measured 6k to 17k records/s for
            // the same size), so it runs before and after the passes, and the ratios use the mean of the two.
            double produceBefore = perfTest(broker.bootstrapServers(), avgBytes, kafka, plan, "bench.raw.before");
            String row = "%-52s %10s %16s %15s%n";
            out.printf(row, "configuration", "docs/s", "vs pass-through", "vs raw producer");
            List<String[]> rows = new ArrayList<>();
            int pass = 0;
            double passThrough = measure(++pass, kafka, topics, registry, run, 256, 1, batch -> new PassThroughScorer());
            rows.add(new String[] {"pass-through, batch 256", String.format("%.0f", passThrough), "1.00"});
            for (int threads : streamThreads) {
                for (int modelThreads : onnxThreads) {
                    for (int batch : batchSizes) {
                        try (BundleScorer scorer = ModelBundle.load(bundle, new ScorerSettings(Device.CPU, modelThreads, batch), null)) {
                            double rate = measure(++pass, kafka, topics, registry, run, batch, threads, b -> scorer);
                            rows.add(new String[] {"scored, batch " + batch + (threads == 1 ? "" : ", " + threads + " stream thr.")
                                    + (modelThreads == 1 ? "" : ", " + modelThreads + " model thr."),
                                    String.format("%.0f", rate), String.format("%.2f", rate / passThrough)});
                        }
                    }
                }
            }
            double produceAfter = perfTest(broker.bootstrapServers(), avgBytes, kafka, plan, "bench.raw");
            double produce = (produceBefore + produceAfter) / 2;
            for (String[] r : rows) {
                out.printf(row, r[0], r[1], r[2], String.format("%.2f", Double.parseDouble(r[1]) / produce));
            }
            double consume = KafkaPerfTest.consumerMessagesPerSecond(broker.bootstrapServers(), "bench.raw", documents);
            out.printf(row, "raw broker: producer-perf-test, before", String.format("%.0f", produceBefore), "", "");
            out.printf(row, "raw broker: producer-perf-test, after", String.format("%.0f", produceAfter), "", "");
            out.printf(row, "raw broker: consumer-perf-test", String.format("%.0f", consume), "", "");
            out.printf("%nEach scored configuration reads %d documents and writes %d kept/removed records, %d annotations "
                    + "and its progress, in transactions. \"vs raw producer\": against the mean of the producer's two runs.%n",
                    documents, documents, documents);
        }
        return 0;
    }

    /** Texts joined in order until each has at least {@code bytes} UTF-8 bytes; the last short remainder is dropped. */
    static List<LabelledText> joined(List<LabelledText> corpus, int bytes) {
        if (bytes <= 0) {
            return corpus;
        }
        List<LabelledText> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (LabelledText t : corpus) {
            text.append(text.length() == 0 ? "" : "\n\n").append(t.text());
            if (text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= bytes) {
                out.add(new LabelledText("joined-" + out.size(), text.toString(), t.violating(), t.weight(), t.line()));
                text.setLength(0);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("The corpus holds fewer than --record-bytes " + bytes + " bytes of text");
        }
        return out;
    }

    /** A scorer that does not featurize or score: every document gets 0 (kept). */
    private static final class PassThroughScorer implements Scorer {
        @Override
        public float[] score(List<String> texts) {
            return new float[texts.size()];
        }

        @Override
        public String device() {
            return "none";
        }

        @Override
        public void close() {
        }
    }

    private long publish(Map<String, Object> kafka, RecurateTopics topics, List<LabelledText> corpus) {
        var ingest = topics.ingest();
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        AtomicLong bytes = new AtomicLong();
        var serializer = ingest.valueSerde().serializer();
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < documents; i++) {
                LabelledText t = corpus.get(i % corpus.size());
                Document d = Document.newBuilder().setId("b" + i).setText(t.text()).setSource(data.getFileName().toString())
                        .setContentSha256("-").setIngestedAt(Instant.now()).build();
                byte[] value = serializer.serialize(ingest.name(), d);
                bytes.addAndGet(value.length);
                producer.send(new ProducerRecord<>(ingest.name(), d.getId(), value));
            }
        }
        return bytes.get() / documents;
    }

    private double measure(int pass, Map<String, Object> kafka, RecurateTopics topics, RegistryClient registry, Path run,
                           int batch, int threads, java.util.function.IntFunction<Scorer> scorer) throws InterruptedException {
        PassStatus status;
        try (PassLedger passes = new PassLedger(kafka, topics)) {
            status = passes.start(pass, SourceMode.FULL, topics.plan().ingest().name(), "filter", "bench", 0.5f);
        }
        ScorerServiceConfig config = new ScorerServiceConfig(kafka, "bench", run.resolve("streams"), true, threads,
                new BatchSettings(batch, Duration.ofMillis(50)), new ScorerSettings(Device.CPU, 1, batch), Duration.ofSeconds(10));
        Scorer s = scorer.apply(batch);
        try (PassRunner runner = new PassRunner(config, topics, registry, status, () -> s)) {
            long start = System.nanoTime();
            runner.start();
            PassCounts counts = runner.awaitCompletion(Duration.ofHours(1));
            double seconds = (System.nanoTime() - start) / 1e9;
            return counts.getInput() / seconds;
        }
    }

    private double perfTest(String bootstrap, long avgBytes, Map<String, Object> kafka, TopicPlan plan, String topic)
            throws Exception {
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.ensure(List.of(new io.recurate.topics.TopicSpec(topic, partitions, (short) 1,
                    plan.ingest().configs(), null)));
        }
        return KafkaPerfTest.producerRecordsPerSecond(topic, documents, avgBytes,
                List.of("bootstrap.servers=" + bootstrap, "acks=all", "compression.type=lz4"));
    }
}
