package io.recurate.scorer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.model.score.Scorer;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.PassProgress;
import io.recurate.serde.AvroBinarySerde;
import io.recurate.serde.AvroDeserializer;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams revives a task whose commit failed as corrupted (what a broker outage causes) on the same processor
 * object: {@code close()}, its stores wiped and restored from the changelog, then {@code init()} again. The processor
 * must then score what the committed range holds once, and count it once: it used to keep its old buffer and
 * in-flight counts across the revival, so a document was decided twice and the partition's progress said
 * "buffered" for ever (issue 32: "4159 of 4000 documents scored", the pass never finished).
 */
class ScoringProcessorReviveTest {
    private static final TopicPlan PLAN = new TopicPlan("revive", 1, (short) 1);
    private static EmbeddedRegistry registryServer;
    private static RegistryClient registry;

    private RecurateTopics topics;
    private PassContext pass;
    /** The source partition: offset → record, as the rereader reads it again. */
    private final TreeMap<Long, BufferedRecord> source = new TreeMap<>();
    /** Batches handed to the scoring threads and not yet run. */
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void startRegistry() {
        registryServer = EmbeddedRegistry.startInMemory();
        registry = new RegistryClient(RegistryConfig.of(registryServer.url()));
    }

    @AfterAll
    static void stopRegistry() {
        registryServer.close();
    }

    @BeforeEach
    void corpus() {
        topics = new RecurateTopics(PLAN, new RecurateSerdes(registry));
        pass = new PassContext(1, PLAN.ingest().name(), "v1", 0.5f, Map.of(0, 9L));
        var serializer = topics.ingest().valueSerde().serializer();
        for (long offset = 0; offset < 9; offset++) {
            Document doc = Document.newBuilder().setId("d" + offset).setText(offset % 3 == 0 ? "casino prize" : "notes")
                    .setContentSha256("00").setIngestedAt(Instant.EPOCH).build();
            source.put(offset, new BufferedRecord(("d" + offset).getBytes(), serializer.serialize(PLAN.ingest().name(), doc),
                    0L, List.of(), PLAN.ingest().name(), 0, offset));
        }
    }

    private ScoringProcessor processor() {
        Scorer model = new Scorer() {
            @Override
            public float[] score(List<String> texts) {
                float[] scores = new float[texts.size()];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = texts.get(i).contains("casino") ? 0.9f : 0.1f;
                }
                return scores;
            }

            @Override
            public String device() {
                return "test";
            }

            @Override
            public void close() {
            }
        };
        var kept = topics.kept(1);
        var removed = topics.removed(1);
        SourceRereader rereader = (topic, partition, range) ->
                new ArrayList<>(source.subMap(range.first(), range.next()).values());
        return new ScoringProcessor(pass, new BatchSettings(2, Duration.ofSeconds(60)), () -> model,
                () -> new BatchScorer(pass, new AvroDeserializer<>(registry, false, null),
                        new ScoredDocumentWriter(registry, kept.valueSerde().serializer(), kept.name(), removed.name())),
                held::add, ScoringProcessor.maxInFlight(1), rereader, new ScorerMetrics(meters, 1, "v1"));
    }

    /** A task's context with its two stores; the stores outlive a revival as Streams restores them. */
    private static MockProcessorContext<Object, Object> context(KeyValueStore<Integer, UnscoredRange> unscored,
                                                                KeyValueStore<Integer, PassProgress> progress) {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new Properties(), new TaskId(0, 0), null);
        context.setCurrentSystemTimeMs(1_000_000);
        for (var store : List.of(unscored, progress)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }

    private void feed(ScoringProcessor processor, MockProcessorContext<Object, Object> context, long from, long to) {
        for (long offset = from; offset < to; offset++) {
            BufferedRecord r = source.get(offset);
            context.setRecordMetadata(r.topic(), r.partition(), offset);
            processor.process(new Record<>(r.key(), r.value(), r.timestamp()));
        }
    }

    /** Runs every held batch, then lets the processor forward them (a punctuation after the maximum wait). */
    private static void scoreAndForward(ConcurrentLinkedQueue<Runnable> held, MockProcessorContext<Object, Object> context) {
        for (Runnable batch; (batch = held.poll()) != null; ) {
            batch.run();
        }
        context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 120_000);
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(context.currentSystemTimeMs()));
    }

    private static List<String> decided(List<CapturedForward<?, ?>> forwards) {
        return forwards.stream().filter(f -> TopologyNames.KEPT.equals(f.childName().orElse(null))
                        || TopologyNames.REMOVED.equals(f.childName().orElse(null)))
                .map(f -> f.record().key() instanceof byte[] b ? new String(b) : String.valueOf(f.record().key())).toList();
    }

    private static PassProgress lastProgress(List<CapturedForward<?, ?>> forwards) {
        PassProgress last = null;
        for (CapturedForward<?, ?> f : forwards) {
            if (TopologyNames.PROGRESS.equals(f.childName().orElse(null))) {
                last = (PassProgress) f.record().value();
            }
        }
        return last;
    }

    @Test
    void aRevivedTaskScoresTheCommittedRangeOnceAndItsProgressEndsWithNothingBuffered() {
        var unscored = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TopologyNames.BUFFER_STORE),
                Serdes.Integer(), new UnscoredRange.StoreSerde()).withLoggingDisabled().build();
        var progress = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TopologyNames.PROGRESS_STORE),
                Serdes.Integer(), new AvroBinarySerde<PassProgress>(PassProgress.getClassSchema())).withLoggingDisabled().build();
        ScoringProcessor processor = processor();

        MockProcessorContext<Object, Object> first = context(unscored, progress);
        processor.init(first);
        feed(processor, first, 0, 2);
        scoreAndForward(held, first); // d0, d1 decided and committed
        feed(processor, first, 2, 7); // d2..d5 in two batches handed over, d6 buffered: all in the committed range
        assertThat(decided(first.forwarded())).containsExactly("d0", "d1");
        assertThat(held).hasSize(2);
        assertThat(unscored.get(0)).isEqualTo(new UnscoredRange(2, 7));

        // The commit fails as corrupted: Streams closes the task dirty and revives it, on this same processor.
        List<Runnable> stillRunning = new ArrayList<>(held);
        held.clear();
        processor.close();
        stillRunning.forEach(Runnable::run); // the dropped batches finish on their scoring threads all the same
        MockProcessorContext<Object, Object> revived = context(unscored, progress);
        processor.init(revived); // reads offsets 2..6 again
        feed(processor, revived, 7, 9);
        scoreAndForward(held, revived);
        scoreAndForward(held, revived);

        List<String> all = new ArrayList<>(decided(first.forwarded()));
        all.addAll(decided(revived.forwarded()));
        assertThat(all).as("every document decided once").containsExactly("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8");
        PassProgress end = lastProgress(revived.forwarded());
        assertThat(end.getBuffered()).isZero();
        assertThat(end.getInput()).isEqualTo(9);
        assertThat(end.getKept() + end.getRemoved()).isEqualTo(9);
        assertThat(end.getRemoved()).isEqualTo(3);
        assertThat(unscored.get(0)).isNull();
        assertThat(meters.counter(ScorerMetrics.REVIVED, "pass", "1", "model_version", "v1").count()).isEqualTo(1.0);
        assertThat(meters.counter("recurate.scorer.records.reread", "pass", "1", "model_version", "v1").count()).isEqualTo(5.0);
    }
}
