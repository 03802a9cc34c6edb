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
import io.recurate.scorer.PassContext;
import io.recurate.scorer.PassRunner;
import io.recurate.ledger.PassLedger;
import io.recurate.scorer.ScorerMetrics;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    @Option(names = "--scoring-threads", split = ",", paramLabel = "N",
            description = "Scoring threads of the scored configurations (they score batches while the stream thread reads "
                    + "and writes), swept like the batch sizes (default: the scorer's, one per core).")
    List<Integer> scoringThreads = List.of(ScorerServiceConfig.defaultScoringThreads());

    @Option(names = "--onnx-threads", defaultValue = "1", split = ",",
            description = "Threads per batch (featurizing and ONNX Runtime) of the scored configurations, swept like the "
                    + "batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> onnxThreads;

    @Option(names = "--instances", defaultValue = "1", split = ",",
            description = "Scorer instances of the scored configurations (Kafka Streams clients of the pass's application, "
                    + "each with its own state folder, as separate scorer processes are), swept like the batch sizes "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Integer> instances;

    @Option(names = "--output-compression", defaultValue = "lz4", split = ",", paramLabel = "CODEC",
            description = "Compression of the scorer's outputs (producer.compression.type: lz4, zstd, snappy, gzip, none), "
                    + "swept like the batch sizes (default: ${DEFAULT-VALUE}).")
    List<String> outputCompression;

    @Option(names = "--record-bytes", defaultValue = "0", paramLabel = "B",
            description = "Join consecutive texts of the corpus (a blank line between) until each holds at least B bytes, "
                    + "for larger records from the same corpus; 0 keeps them as they are (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Option(names = "--repeats", defaultValue = "1",
            description = "Rounds over every configuration; the table shows medians. Each pass is followed by a raw "
                    + "producer run, and \"vs raw producer\" is the median of those paired ratios, which the broker's "
                    + "drift from run to run cancels out of (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "ROUNDS",
            description = "Rounds over every configuration before the measured ones, not counted: in its first passes the "
                    + "bench's JVM is still compiling the scorer's code (the JIT took half a core through the first two "
                    + "rounds here), which a scorer serving a long pass has long done. The perf tool's JVM is new each run "
                    + "either way (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the document topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--work", defaultValue = "target/bench-scorer", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (warmup < 0 || repeats < 1) {
            throw new ParameterException(spec.commandLine(), "--warmup must be 0 or more and --repeats 1 or more, got "
                    + warmup + " and " + repeats);
        }
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

            // The raw producer's rate moves with the broker's state (this machine measured 6k to 17k records/s for the
            // same size from run to run), so each pass is paired with a producer run right after it.
            Map<String, List<Sample>> samples = new java.util.LinkedHashMap<>();
            Map<String, List<Double>> ratios = new java.util.LinkedHashMap<>();
            int pass = 0;
            for (int round = 1; round <= warmup + repeats; round++) {
                boolean counted = round > warmup;
                Sample passThrough = measure(++pass, kafka, topics, registry, run, 256, 1,
                        ScorerServiceConfig.defaultScoringThreads(), 1, batch -> new PassThroughScorer(), broker.pid());
                if (counted) {
                    record(samples, ratios, PASS_THROUGH, passThrough, perfTest(broker, avgBytes, kafka, plan));
                }
                for (Configuration c : configurations()) {
                    try (BundleScorer scorer = ModelBundle.load(bundle, new ScorerSettings(Device.CPU, c.modelThreads(), c.batch()), null)) {
                        Sample sample = measure(++pass, withCodec(kafka, c.codec()), topics, registry, run, c.batch(),
                                c.streamThreads(), c.scoringThreads(), c.instances(), b -> scorer, broker.pid());
                        if (counted) {
                            record(samples, ratios, c.label(), sample, perfTest(broker, avgBytes, kafka, plan));
                        }
                    }
                }
                out.printf(counted ? "round %d of %d done%n" : "warm-up round %d of %d done (not counted)%n",
                        counted ? round - warmup : round, counted ? repeats : warmup);
            }
            String row = "%-56s %10s %16s %16s %13s %9s %14s%n";
            out.printf("%n" + row, "configuration", "docs/s", "vs pass-through", "vs raw producer", "ratio range",
                    "start, s", "docs/s w/ start");
            double passThrough = median(samples.get(PASS_THROUGH), Sample::rate);
            samples.forEach((label, runs) -> {
                if (!label.equals(PRODUCER)) {
                    out.printf(row, label, String.format("%.0f", median(runs, Sample::rate)),
                            String.format("%.2f", median(runs, Sample::rate) / passThrough),
                            String.format("%.2f", median(ratios.get(label))),
                            String.format("%.2f-%.2f", java.util.Collections.min(ratios.get(label)),
                                    java.util.Collections.max(ratios.get(label))),
                            String.format("%.1f", median(runs, Sample::startSeconds)),
                            String.format("%.0f", median(runs, Sample::rateWithStart)));
                }
            });
            List<Double> producer = samples.get(PRODUCER).stream().map(Sample::rate).toList();
            out.printf(row, "raw broker: producer-perf-test (median of " + producer.size() + ")",
                    String.format("%.0f", median(producer)), "", "", String.format("%.0f-%.0f",
                            java.util.Collections.min(producer), java.util.Collections.max(producer)), "", "");
            double consume = KafkaPerfTest.consumerMessagesPerSecond(broker.bootstrapServers(), "bench.raw", documents);
            out.printf(row, "raw broker: consumer-perf-test", String.format("%.0f", consume), "", "", "", "", "");
            printCpu(out, samples);
            out.printf("%nEach scored configuration reads %d documents and writes %d kept/removed records, %d annotations "
                    + "and its progress, in transactions; %d round(s) after %d warm-up round(s), medians. \"vs raw producer\": the median of each "
                    + "pass's rate over the producer run that followed it. A pass's docs/s counts from when its application is "
                    + "running (group joined, tasks assigned, transactions initialized), as the perf tool counts from its "
                    + "first record; \"start, s\" is the time before, and the last column the rate with it. \"Scoring busy\": the share "
                    + "of that time batches were being scored (decoded, featurized, scored, made into records) on scoring "
                    + "threads; \"waited for it\": the share stream threads waited for them (both summed over threads).%n", documents, documents, documents, repeats, warmup);
        }
        return 0;
    }

    private static final String PASS_THROUGH = "pass-through, batch 256";

    private static final String PRODUCER = "raw broker: producer-perf-test";

    /**
     * A measured run: documents per second once running, seconds to start, documents per second with the start, the
     * CPU it took, and the shares of the running time that batches were being scored and that stream threads waited
     * for them (summed over threads).
     */
    private record Sample(double rate, double startSeconds, double rateWithStart, CpuMeter.Use cpu, double scoringBusy,
                          double scoringWait) {
    }

    private static void record(Map<String, List<Sample>> samples, Map<String, List<Double>> ratios, String label,
                               Sample pass, Sample produced) {
        samples.computeIfAbsent(label, l -> new ArrayList<>()).add(pass);
        samples.computeIfAbsent(PRODUCER, l -> new ArrayList<>()).add(produced);
        ratios.computeIfAbsent(label, l -> new ArrayList<>()).add(pass.rate() / produced.rate());
    }

    /**
     * Where the cores went, medians per document: a rate bound by the cores has the machine busy all the time, and
     * then only less CPU per document makes it faster.
     */
    private void printCpu(PrintWriter out, Map<String, List<Sample>> samples) {
        String row = "%-56s %12s %16s %16s %16s %14s %14s%n";
        out.printf("%nCPU per document (%d cores; medians; \"all\" is every process of the machine):%n", Runtime.getRuntime().availableProcessors());
        out.printf(row, "configuration", "machine busy", "all, us/doc", "bench JVM, us/doc", "broker, us/doc",
                "scoring busy", "waited for it");
        samples.forEach((label, runs) -> {
            List<CpuMeter.Use> uses = runs.stream().map(Sample::cpu).toList();
            out.printf(row, label,
                String.format("%.0f %%", 100 * median(uses.stream().map(CpuMeter.Use::machineBusy).toList())),
                String.format("%.0f", median(uses.stream().map(u -> u.machineMicrosPer(documents)).toList())),
                label.equals(PRODUCER) ? "-" : String.format("%.0f", median(uses.stream().map(u -> u.selfNanos() / 1e3 / documents).toList())),
                String.format("%.0f", median(uses.stream().map(u -> u.brokerNanos() / 1e3 / documents).toList())),
                label.equals(PRODUCER) ? "-" : String.format("%.0f %%", 100 * median(runs, Sample::scoringBusy)),
                label.equals(PRODUCER) ? "-" : String.format("%.0f %%", 100 * median(runs, Sample::scoringWait)));
        });
    }

    private static double median(List<Sample> runs, java.util.function.ToDoubleFunction<Sample> value) {
        return median(runs.stream().map(value::applyAsDouble).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One scored configuration of the sweep. */
    private record Configuration(String codec, int instances, int streamThreads, int scoringThreads, int modelThreads,
                                 int batch) {
        String label() {
            return "scored, batch " + batch + (streamThreads == 1 ? "" : ", " + streamThreads + " stream thr.")
                    + (instances == 1 ? "" : ", " + instances + " instances")
                    + (scoringThreads == ScorerServiceConfig.defaultScoringThreads() ? ""
                            : ", " + scoringThreads + " scoring thr.")
                    + (modelThreads == 1 ? "" : ", " + modelThreads + " model thr.")
                    + (codec.equals("lz4") ? "" : ", outputs " + codec);
        }
    }

    /** Every combination of the swept options, in the order they were given. */
    private List<Configuration> configurations() {
        List<Configuration> all = new ArrayList<>();
        for (String codec : outputCompression) {
            for (int scorers : instances) {
                for (int threads : streamThreads) {
                    for (int scoring : scoringThreads) {
                        for (int modelThreads : onnxThreads) {
                            for (int batch : batchSizes) {
                                all.add(new Configuration(codec, scorers, threads, scoring, modelThreads, batch));
                            }
                        }
                    }
                }
            }
        }
        return all;
    }

    private static Map<String, Object> withCodec(Map<String, Object> kafka, String codec) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put("producer." + ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        return config;
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

    private Sample measure(int pass, Map<String, Object> kafka, RecurateTopics topics, RegistryClient registry, Path run,
                           int batch, int threads, int scoring, int scorers, java.util.function.IntFunction<Scorer> scorer,
                           long brokerPid) throws InterruptedException {
        PassStatus status;
        try (PassLedger passes = new PassLedger(kafka, topics)) {
            status = passes.start(pass, SourceMode.FULL, topics.plan().ingest().name(), "filter", "bench", 0.5f);
        }
        Scorer s = scorer.apply(batch);
        List<PassRunner> runners = new ArrayList<>();
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try {
            for (int i = 0; i < scorers; i++) {
                ScorerServiceConfig config = new ScorerServiceConfig(kafka, "bench", run.resolve("streams-" + i), true,
                        threads, new BatchSettings(batch, Duration.ofMillis(50)), new ScorerSettings(Device.CPU, 1, batch),
                        Duration.ofSeconds(10), scoring);
                runners.add(new PassRunner(config, topics, registry, status, PassContext.of(status), () -> s, meters));
            }
            CpuMeter meter = CpuMeter.start(brokerPid);
            // The rate counts from when the application runs (group joined, tasks assigned and restored, producers'
            // transactions initialized), as the perf tool counts from its first record; the start is shown apart.
            long started = System.nanoTime();
            AtomicLong running = new AtomicLong();
            runners.get(0).streams().setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    running.compareAndSet(0, System.nanoTime());
                }
            });
            runners.forEach(PassRunner::start);
            PassCounts counts = runners.get(0).awaitCompletion(Duration.ofHours(1)); // counts of the whole application
            long done = System.nanoTime();
            CpuMeter.Use used = meter.stop();
            double span = (done - running.get()) / 1e9;
            return new Sample(counts.getInput() / span, (running.get() - started) / 1e9,
                    counts.getInput() * 1e9 / (done - started), used,
                    meters.get("recurate.scorer.batch.latency").timer().totalTime(TimeUnit.SECONDS) / span,
                    meters.get(ScorerMetrics.SCORING_WAIT).timer().totalTime(TimeUnit.SECONDS) / span);
        } finally {
            runners.forEach(PassRunner::close);
        }
    }

    private Sample perfTest(EmbeddedBroker broker, long avgBytes, Map<String, Object> kafka, TopicPlan plan) throws Exception {
        String topic = "bench.raw";
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.ensure(List.of(new io.recurate.topics.TopicSpec(topic, partitions, (short) 1,
                    plan.ingest().configs(), null)));
        }
        CpuMeter meter = CpuMeter.start(broker.pid());
        double rate = KafkaPerfTest.producerRecordsPerSecond(topic, documents, avgBytes,
                List.of("bootstrap.servers=" + broker.bootstrapServers(), "acks=all", "compression.type=lz4"));
        return new Sample(rate, 0, rate, meter.stop(), 0, 0); // its CPU span includes the perf test's JVM starting
    }
}
