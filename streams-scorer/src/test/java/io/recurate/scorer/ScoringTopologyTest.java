package io.recurate.scorer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.score.ReferenceScorer;
import io.recurate.model.score.Scorer;
import io.recurate.model.train.Example;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringTopologyTest {
    private static EmbeddedRegistry registryServer;
    private static RegistryClient registry;
    private static Scorer model;
    private static final TopicPlan PLAN = new TopicPlan("unit", 1, (short) 1);

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private RecurateTopics topics;
    /** Scores on the test's thread, unless a test holds batches to look at one in flight. */
    private Executor scoring = Runnable::run;
    private int scoringThreads = 1;
    private Supplier<Scorer> scorer = () -> model;

    @BeforeAll
    static void startRegistryAndTrainModel() {
        registryServer = EmbeddedRegistry.startInMemory();
        registry = new RegistryClient(RegistryConfig.of(registryServer.url()));
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            examples.add(Example.of("win casino lottery prize " + i, true));
            examples.add(Example.of("meeting agenda notes invoice " + i, false));
        }
        model = new ReferenceScorer(new Trainer(FeaturizerSpec.of(List.of(1, 2), 1 << 12, 512), TrainerSettings.defaults())
                .train(examples.iterator(), TrainingListener.NONE).model());
    }

    @AfterAll
    static void stopRegistry() {
        registryServer.close();
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(int batchSize, long endOffset) {
        start(new PassContext(1, PLAN.ingest().name(), "v1", 0.5f, Map.of(0, endOffset)), batchSize);
    }

    private void start(PassContext pass, int batchSize) {
        start(pass, new BatchSettings(batchSize, Duration.ofMillis(50)));
    }

    private void start(PassContext pass, BatchSettings batch) {
        topics = new RecurateTopics(PLAN, new RecurateSerdes(registry));
        // The driver restores no state, so nothing is ever read again (BufferRestoreIT does that on a broker).
        SourceRereader none = (topic, partition, range) -> {
            throw new AssertionError("nothing to read again in a fresh driver: " + range);
        };
        var topology = ScoringTopology.build(pass, topics, registry, batch, scorer, scoring, scoringThreads, none,
                ScorerMetrics.none(pass.pass(), pass.modelVersion()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "unit-scorer-p1");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, props);
    }

    private TestInputTopic<String, Document> ingest() {
        var t = topics.ingest();
        return driver.createInputTopic(t.name(), t.keySerde().serializer(), t.valueSerde().serializer());
    }

    private TestOutputTopic<String, ScoredDocument> kept() {
        var t = topics.kept(1);
        return driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private TestOutputTopic<String, ScoredDocument> removed() {
        var t = topics.removed(1);
        return driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
    }

    private static Document doc(String id, String text) {
        return Document.newBuilder().setId(id).setText(text).setContentSha256("00").setIngestedAt(Instant.EPOCH).build();
    }

    @Test
    void routesByThresholdWithScoreDecisionPassAndVersion() {
        start(4, 1000);
        var in = ingest();
        in.pipeInput("s1", doc("s1", "win the casino lottery prize"));
        in.pipeInput("h1", doc("h1", "meeting agenda and notes"));
        in.pipeInput("s2", doc("s2", "lottery prize casino"));
        in.pipeInput("h2", doc("h2", "invoice for the meeting"));
        List<TestRecord<String, ScoredDocument>> removedDocs = removed().readRecordsToList();
        List<TestRecord<String, ScoredDocument>> keptDocs = kept().readRecordsToList();
        assertThat(removedDocs).extracting(TestRecord::key).containsExactly("s1", "s2");
        assertThat(keptDocs).extracting(TestRecord::key).containsExactly("h1", "h2");
        ScoredDocument s1 = removedDocs.get(0).value();
        assertThat(s1.getScore()).isGreaterThanOrEqualTo(0.5f);
        assertThat(s1.getDecision()).isEqualTo(Decision.REMOVED);
        assertThat(s1.getPass()).isEqualTo(1);
        assertThat(s1.getModelVersion()).isEqualTo("v1");
        assertThat(s1.getDocument().getText()).isEqualTo("win the casino lottery prize");
        assertThat(keptDocs.get(0).value().getScore()).isLessThan(0.5f);
    }

    @Test
    void outputsKeepInputKeyTimestampAndHeadersAndAddPassAndModelVersion() {
        start(1, 1000);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        headers.add("recurate.pass", "7".getBytes(StandardCharsets.UTF_8)); // from an older pass: replaced
        ingest().pipeInput(new TestRecord<>("h1", doc("h1", "meeting notes"), headers, Instant.ofEpochMilli(1234)));
        TestRecord<String, ScoredDocument> out = kept().readRecord();
        assertThat(out.key()).isEqualTo("h1");
        assertThat(out.timestamp()).isEqualTo(1234L);
        assertThat(new String(out.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(out.headers().headers("recurate.pass")).hasSize(1);
        assertThat(new String(out.headers().lastHeader("recurate.pass").value(), StandardCharsets.UTF_8)).isEqualTo("1");
        assertThat(new String(out.headers().lastHeader("recurate.model.version").value(), StandardCharsets.UTF_8))
                .isEqualTo("v1");
    }

    @Test
    void everyDecisionGetsOneAnnotationWithoutText() {
        start(2, 1000);
        ingest().pipeInput("s1", doc("s1", "casino lottery"));
        ingest().pipeInput("h1", doc("h1", "agenda notes"));
        var t = topics.annotations();
        List<Annotation> annotations = driver.createOutputTopic(t.name(), t.keySerde().deserializer(),
                t.valueSerde().deserializer()).readValuesToList();
        assertThat(annotations).extracting(Annotation::getDocId).containsExactly("s1", "h1");
        assertThat(annotations).extracting(Annotation::getDecision).containsExactly(Decision.REMOVED, Decision.KEPT);
        assertThat(annotations.get(0).getModelVersion()).isEqualTo("v1");
    }

    @Test
    void undecodableRecordsGoToTheDlqWithWhereAndWhyAndTheBatchGoesOn() {
        start(3, 1000);
        ingest().pipeInput("h1", doc("h1", "meeting notes"));
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(PLAN.ingest().name(),
                Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        raw.pipeInput("bad".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        ingest().pipeInput("h2", doc("h2", "invoice"));
        var dlq = driver.createOutputTopic(PLAN.dlq().name(), Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer()).readRecordsToList();
        assertThat(dlq).hasSize(1);
        var record = dlq.get(0);
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
        assertThat(header(record.headers(), "recurate.dlq.topic")).isEqualTo(PLAN.ingest().name());
        assertThat(header(record.headers(), "recurate.dlq.partition")).isEqualTo("0");
        assertThat(header(record.headers(), "recurate.dlq.offset")).isEqualTo("1");
        assertThat(header(record.headers(), "recurate.dlq.error.message")).contains("magic byte");
        assertThat(kept().readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("h1", "h2");
    }

    @Test
    void aBatchIsScoredWhenFull() {
        start(3, 1000);
        ingest().pipeInput("h1", doc("h1", "notes"));
        ingest().pipeInput("h2", doc("h2", "agenda"));
        assertThat(kept().isEmpty()).isTrue();
        ingest().pipeInput("h3", doc("h3", "invoice"));
        assertThat(kept().readKeyValuesToList()).hasSize(3);
    }

    /**
     * The buffer's changelog carries offsets, never documents: at each commit (the driver commits after every record)
     * the range of source offsets still buffered, or a tombstone once they are scored.
     */
    @Test
    void theBuffersChangelogHoldsTheRangeOfUnscoredOffsetsNotTheDocuments() {
        start(3, 1000);
        for (String id : List.of("h1", "h2", "h3", "h4")) {
            ingest().pipeInput(id, doc(id, "notes ".repeat(100)));
        }
        var changelog = driver.createOutputTopic("unit-scorer-p1-" + TopologyNames.BUFFER_STORE + "-changelog",
                Serdes.Integer().deserializer(), new UnscoredRange.StoreSerde().deserializer()).readKeyValuesToList();
        assertThat(changelog).extracting(kv -> kv.key).containsOnly(0);
        assertThat(changelog).extracting(kv -> kv.value).containsExactly(
                new UnscoredRange(0, 1), new UnscoredRange(0, 2), null, new UnscoredRange(3, 4));
        assertThat(kept().readKeyValuesToList()).hasSize(3);
    }

    @Test
    void aBatchIsScoredWhenItHoldsItsByteLimitWhateverItsCount() {
        start(new PassContext(1, PLAN.ingest().name(), "v1", 0.5f, Map.of(0, 1000L)),
                new BatchSettings(100, Duration.ofMillis(50), 2_000));
        ingest().pipeInput("h1", doc("h1", "notes ".repeat(150))); // ~900 bytes
        assertThat(kept().isEmpty()).isTrue();
        ingest().pipeInput("h2", doc("h2", "agenda ".repeat(200))); // over 2,000 bytes together: scored now
        assertThat(kept().readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("h1", "h2");
    }

    @Test
    void aBatchIsScoredWhenItsOldestRecordHasWaited() {
        start(100, 1000);
        ingest().pipeInput("h1", doc("h1", "notes"));
        ingest().pipeInput("s1", doc("s1", "casino"));
        assertThat(kept().isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(60));
        assertThat(kept().readKeyValuesToList()).hasSize(1);
        assertThat(removed().readKeyValuesToList()).hasSize(1);
    }

    @Test
    void recordsPastThePassEndAreLeftForALaterPass() {
        start(1, 2);
        for (int i = 0; i < 5; i++) {
            ingest().pipeInput("h" + i, doc("h" + i, "notes"));
        }
        assertThat(kept().readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("h0", "h1");
    }

    @Test
    void progressCountsEverythingAndSaysWhenTheBufferIsEmpty() {
        start(2, 1000);
        ingest().pipeInput("h1", doc("h1", "notes"));
        ingest().pipeInput("s1", doc("s1", "casino lottery"));
        ingest().pipeInput("h2", doc("h2", "agenda"));
        var t = topics.progress(1);
        List<PassProgress> progress = driver.createOutputTopic(t.name(), t.keySerde().deserializer(),
                t.valueSerde().deserializer()).readValuesToList();
        // buffer became non-empty, flushed (2 scored), became non-empty again
        assertThat(progress).extracting(PassProgress::getBuffered).containsExactly(1L, 0L, 1L);
        PassProgress afterFlush = progress.get(1);
        assertThat(afterFlush.getInput()).isEqualTo(2);
        assertThat(afterFlush.getKept()).isEqualTo(1);
        assertThat(afterFlush.getRemoved()).isEqualTo(1);
        assertThat(progress.get(2).getInput()).isEqualTo(3);
    }

    @Test
    void inNestedModeThePreviousPassKeptTopicIsScored() {
        start(new PassContext(2, PLAN.kept(1).name(), "v2", 0.5f, Map.of(0, 1000L)), 1);
        var source = driver.createInputTopic(PLAN.kept(1).name(), Serdes.String().serializer(),
                topics.kept(1).valueSerde().serializer());
        source.pipeInput("h1", new ScoredDocument(doc("h1", "meeting notes"), 1, "v1", 0.1f, Decision.KEPT, 0.5f, Instant.EPOCH));
        var t = topics.kept(2);
        ScoredDocument out = driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer())
                .readValue();
        assertThat(out.getDocument().getId()).isEqualTo("h1");
        assertThat(out.getPass()).isEqualTo(2);
        assertThat(out.getModelVersion()).isEqualTo("v2");
    }

    /**
     * A batch handed to the scoring thread stays in the committed range of unscored offsets until its records are
     * forwarded, and progress counts it as buffered: a scorer that dies meanwhile loses none of it.
     */
    @Test
    void aBatchBeingScoredStaysInTheCommittedRangeUntilItsRecordsAreForwarded() {
        ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        scoring = held::add;
        start(2, 1000);
        ingest().pipeInput("h1", doc("h1", "notes"));
        ingest().pipeInput("h2", doc("h2", "agenda")); // a full batch: handed over, not scored yet
        ingest().pipeInput("h3", doc("h3", "invoice"));
        assertThat(kept().isEmpty()).isTrue();
        assertThat(held).hasSize(1);
        held.poll().run(); // h1 and h2 scored: forwarded at the next punctuation, h3 handed over then
        driver.advanceWallClockTime(Duration.ofMillis(60));
        assertThat(kept().readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("h1", "h2");
        held.poll().run();
        driver.advanceWallClockTime(Duration.ofMillis(60));
        assertThat(kept().readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("h3");

        var changelog = driver.createOutputTopic("unit-scorer-p1-" + TopologyNames.BUFFER_STORE + "-changelog",
                Serdes.Integer().deserializer(), new UnscoredRange.StoreSerde().deserializer()).readValuesToList();
        assertThat(changelog).containsExactly(new UnscoredRange(0, 1), new UnscoredRange(0, 2), new UnscoredRange(0, 3),
                new UnscoredRange(2, 3), null);
        var t = topics.progress(1);
        List<PassProgress> progress = driver.createOutputTopic(t.name(), t.keySerde().deserializer(),
                t.valueSerde().deserializer()).readValuesToList();
        assertThat(progress).extracting(PassProgress::getBuffered).containsExactly(1L, 3L, 1L, 0L);
        assertThat(progress).extracting(PassProgress::getInput).containsExactly(1L, 3L, 3L, 3L);
    }

    /**
     * A partition's batches are scored side by side on the scoring threads (a fetch often holds one partition's records
     * only), and their records are still forwarded in source order.
     */
    @Test
    void outputsKeepSourceOrderWhileBatchesAreScoredSideBySideOnOtherThreads() throws InterruptedException {
        ExecutorService thread = Executors.newFixedThreadPool(4);
        scoring = thread;
        scoringThreads = 4;
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger scoringNow = new AtomicInteger();
        scorer = () -> scoring(texts -> { // slow enough that batches are still being scored when the next one fills
            mostAtOnce.accumulateAndGet(scoringNow.incrementAndGet(), Math::max);
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                scoringNow.decrementAndGet();
            }
            return model.score(texts);
        });
        try {
            start(3, 1000);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String id = (i % 3 == 0 ? "s" : "h") + i;
                ids.add(id);
                ingest().pipeInput(id, doc(id, i % 3 == 0 ? "casino lottery prize " + i : "meeting notes " + i));
            }
            var t = topics.annotations();
            var annotations = driver.createOutputTopic(t.name(), t.keySerde().deserializer(), t.valueSerde().deserializer());
            List<String> seen = new ArrayList<>();
            for (long deadline = System.nanoTime() + 60_000_000_000L; seen.size() < ids.size() && System.nanoTime() < deadline; ) {
                Thread.sleep(5);
                driver.advanceWallClockTime(Duration.ofMillis(60));
                annotations.readValuesToList().forEach(a -> seen.add(a.getDocId()));
            }
            assertThat(driver.createOutputTopic(PLAN.dlq().name(), Serdes.ByteArray().deserializer(),
                    Serdes.ByteArray().deserializer()).isEmpty()).as("nothing sent to the DLQ").isTrue();
            assertThat(seen).containsExactlyElementsOf(ids);
            assertThat(mostAtOnce.get()).as("batches of the one partition scored at the same time").isBetween(2, 4);
            assertThat(removed().readKeyValuesToList()).extracting(kv -> kv.key).allMatch(k -> k.startsWith("s"))
                    .hasSize(34);
        } finally {
            thread.shutdownNow();
        }
    }

    /**
     * A slow model holds the stream thread back at one batch per partition more than the scoring threads (two with
     * one thread), rather than piling batches up.
     */
    @Test
    void withOneScoringThreadAPartitionHasAtMostTwoBatchesHandedOver() throws Exception {
        Semaphore batches = new Semaphore(0);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        scoring = thread;
        scorer = () -> scoring(texts -> {
            batches.acquireUninterruptibly();
            return model.score(texts);
        });
        try {
            start(1, 1000);
            ingest().pipeInput("h1", doc("h1", "notes"));
            ingest().pipeInput("h2", doc("h2", "agenda")); // two batches handed over, neither scored
            CompletableFuture<Void> third = CompletableFuture.runAsync(() -> ingest().pipeInput("h3", doc("h3", "invoice")));
            Thread.sleep(300);
            assertThat(third).as("the third batch waits for the first").isNotDone();
            batches.release(3);
            third.get(30, TimeUnit.SECONDS);
            List<String> kept = new ArrayList<>();
            for (long deadline = System.nanoTime() + 60_000_000_000L; kept.size() < 3 && System.nanoTime() < deadline; ) {
                Thread.sleep(5);
                driver.advanceWallClockTime(Duration.ofMillis(60));
                kept().readKeyValuesToList().forEach(kv -> kept.add(kv.key));
            }
            assertThat(kept).containsExactly("h1", "h2", "h3");
        } finally {
            batches.release(100);
            thread.shutdownNow();
        }
    }

    @Test
    void aModelThatFailsOnTheScoringThreadStopsTheStreamThreadWithItsOwnError() {
        ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        scoring = held::add;
        scorer = () -> scoring(texts -> {
            throw new IllegalStateException("ONNX Runtime ran out of memory");
        });
        start(1, 1000);
        ingest().pipeInput("h1", doc("h1", "notes"));
        held.poll().run();
        assertThatThrownBy(() -> driver.advanceWallClockTime(Duration.ofMillis(60)))
                .hasRootCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("ONNX Runtime ran out of memory");
        assertThat(kept().isEmpty()).isTrue();
    }

    /** A model that scores with {@code body}: the tests' slow, gated and failing ones. */
    private static Scorer scoring(Function<List<String>, float[]> body) {
        return new Scorer() {
            @Override
            public float[] score(List<String> texts) {
                return body.apply(texts);
            }

            @Override
            public String device() {
                return "test";
            }

            @Override
            public void close() {
            }
        };
    }

    private static String header(org.apache.kafka.common.header.Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
