package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.ledger.ModelVersions;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Decision;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.scorer.ScorerService;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClusterExtension.class)
class ScorerIT {

    @Test
    void twentyThousandDocumentsComeOutExactlyOnceAcrossKeptAndRemoved(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "exact");
        List<String> ids = p.publishDocuments(20_000);
        ModelVersion v1 = p.publishModel("v1", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                v1.getVersion(), 0.5f);

        try (ScorerService service = p.scorer(256, 1)) {
            Thread run = Pipeline.runInBackground(service);
            run.join(Duration.ofMinutes(4).toMillis());
            assertThat(run.isAlive()).as("the scorer finished pass 1").isFalse();
        }

        PassStatus status = p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));
        List<ConsumerRecord<String, ScoredDocument>> decisions = p.decisions(1);
        assertExactlyOnce(decisions, ids);
        assertThat(status.getCounts().getInput()).isEqualTo(20_000);
        assertThat(status.getCounts().getKept() + status.getCounts().getRemoved()).isEqualTo(20_000);
        assertThat(status.getCounts().getDlq()).isZero();
        long spamRemoved = decisions.stream().filter(r -> r.value().getDecision() == Decision.REMOVED)
                .filter(r -> Pipeline.isSpam(Integer.parseInt(r.key().substring(1)))).count();
        assertThat(spamRemoved).isEqualTo(status.getCounts().getRemoved()).isEqualTo(4_000);
        var annotations = p.readAll(p.topics.annotations().name(), p.topics.annotations().keySerde().deserializer(),
                p.topics.annotations().valueSerde().deserializer());
        assertThat(annotations).hasSize(20_000);
        assertThat(annotations).extracting(r -> ((Annotation) r.value()).getPass()).containsOnly(1);
    }

    /** Issue 14: `scorer --pass N` polled for ever when pass N was already trained or had failed. */
    @Test
    void aScorerForOnePassThatIsAlreadyTrainedOrFailedStopsAtOnce(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "onlypass");
        p.publishDocuments(50);
        ModelVersion v1 = p.publishModel("v1", 1);
        PassStatus started = Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(),
                "filter", v1.getVersion(), 0.5f);
        Ledgers.record(cluster.kafkaConfig(), p.topics, PassStatus.newBuilder(started).setState(PassState.TRAINED).build());
        try (ScorerService service = p.scorer(64, 1)) {
            Thread run = Pipeline.runInBackground(service);
            run.join(30_000);
            assertThat(run.isAlive()).as("a trained pass needs no scorer").isFalse();
        }
        Ledgers.record(cluster.kafkaConfig(), p.topics, PassStatus.newBuilder(started).setState(PassState.FAILED).setError("disk full").build());
        try (ScorerService service = p.scorer(64, 1)) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread run = new Thread(() -> {
                try {
                    service.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            run.start();
            run.join(30_000);
            assertThat(run.isAlive()).isFalse();
            assertThat(failure.get()).hasMessageContaining("Pass 1 failed: disk full");
        }
    }

    /**
     * Issue 33, item 2: a scorer that kept running remembered a failed pass by its number, and its refusal of a model
     * for its life, so a pass started again (after the bundle was mended, or with another version) waited for ever.
     * Both are per attempt now: the same scorer scores the pass started again, exactly once.
     */
    @Test
    void aPassStartedAgainAfterARefusedModelIsScoredByTheScorerThatKeptRunning(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "again");
        List<String> ids = p.publishDocuments(2_000);
        ModelVersion v1 = p.publishModel("v1", 1);
        java.nio.file.Path onnx = ModelVersions.bundlePath(v1.getArtifactUri()).resolve("model.onnx");
        byte[] good = java.nio.file.Files.readAllBytes(onnx);
        byte[] damaged = good.clone();
        damaged[damaged.length / 2] ^= 0x5a;
        java.nio.file.Files.write(onnx, damaged); // before the scorer first sees v1: it refuses it
        try (ScorerService service = p.scorer(64, null)) {
            Thread run = Pipeline.runInBackground(service);
            Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                    v1.getVersion(), 0.5f);
            PassStatus failed = p.awaitPass(1, PassState.FAILED, Duration.ofMinutes(2));
            assertThat(failed.getError()).contains("refused");

            java.nio.file.Files.write(onnx, good); // mended
            Pipeline.sleep(5); // a start of its own, a millisecond later at least
            Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                    v1.getVersion(), 0.5f);
            PassStatus scored = p.awaitPass(1, PassState.SCORED, Duration.ofMinutes(2));
            assertThat(run.isAlive()).as("the same scorer, still serving").isTrue();
            assertExactlyOnce(p.decisions(1), ids);
            assertThat(scored.getCounts().getInput()).isEqualTo(2_000);
        }
    }

    @Test
    void aModelPublishedDuringAPassIsServedFromTheNextPassAndABadOneIsRefused(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "swap");
        List<String> ids = p.publishDocuments(6_000);
        ModelVersion v1 = p.publishModel("v1", 1);
                try (ScorerService service = p.scorer(64, null)) {
            Thread run = Pipeline.runInBackground(service);
            Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter", v1.getVersion(), 0.5f);
            ModelVersion v2 = p.publishModel("v2", 2); // arrives while pass 1 runs
            ModelVersion corrupt = ModelVersion.newBuilder(v2).setVersion("v3").setSha256("0".repeat(64)).build();
            p.announce(corrupt);
            PassStatus first = p.awaitPass(1, PassState.SCORED, Duration.ofMinutes(3));
            assertThat(first.getModelVersion()).isEqualTo("v1");

            Ledgers.start(cluster.kafkaConfig(), p.topics, 2, SourceMode.NESTED, p.plan.kept(1).name(), "filter", v2.getVersion(), 0.5f);
            PassStatus second = p.awaitPass(2, PassState.SCORED, Duration.ofMinutes(3));
            assertThat(second.getCounts().getInput()).isEqualTo(first.getCounts().getKept());
            assertThat(service.models().refusedCount()).as("the corrupt v3 was refused").isEqualTo(1);
            service.close();
            run.join(60_000);
        }
        List<ConsumerRecord<String, ScoredDocument>> pass1 = p.decisions(1);
        assertExactlyOnce(pass1, ids);
        assertThat(pass1).allSatisfy(r -> {
            assertThat(r.value().getModelVersion()).isEqualTo("v1");
            assertThat(new String(r.headers().lastHeader("recurate.model.version").value(), StandardCharsets.UTF_8))
                    .isEqualTo("v1");
        });
        assertThat(p.decisions(2)).isNotEmpty().allSatisfy(r -> assertThat(r.value().getModelVersion()).isEqualTo("v2"));
    }

    @Test
    void poisonRecordsLandInTheDlqAndThePassCompletes(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "poison");
        List<String> ids = new java.util.ArrayList<>(p.publishDocuments(1_000));
        try (var producer = new KafkaProducer<>(cluster.kafkaConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(p.plan.ingest().name(), ("junk" + i).getBytes(StandardCharsets.UTF_8),
                        "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(p.plan.ingest().name(), ("unknown" + i).getBytes(StandardCharsets.UTF_8),
                        ByteBuffer.allocate(12).put((byte) 0).putInt(999_999).putInt(7).array()));
            }
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(p.plan.ingest().name(), ("tombstone" + i).getBytes(StandardCharsets.UTF_8), null));
            }
            producer.send(new ProducerRecord<>(p.plan.ingest().name(), "bad-utf8".getBytes(StandardCharsets.UTF_8),
                    Records.documentWithInvalidUtf8(cluster, p.plan.ingest().name())));
        }
        // A 50 MB document: far over the featurizer's token cap, scored on its first tokens, never dropped;
        // and an empty one, scored like any other.
        var big = io.recurate.schemas.Document.newBuilder(Pipeline.document(5)).setId("big")
                .setText("win the casino lottery prize now ".repeat(50 * 1024 * 1024 / 33)).build();
        var empty = io.recurate.schemas.Document.newBuilder(Pipeline.document(1)).setId("empty").setText("").build();
        KafkaIo.produce(cluster, p.topics.ingest(), java.util.Map.of("big", big, "empty", empty));
        ids.add("big");
        ids.add("empty");
        // A valid Avro record of another type (an Annotation) in the documents topic: no document to score.
        try (var annotations = new io.recurate.serde.AvroSerializer<io.recurate.schemas.Annotation>(cluster.registryClient(), false);
             var producer = new KafkaProducer<>(cluster.kafkaConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = annotations.serialize(p.plan.namespace() + ".other", Records.annotation("x"));
            producer.send(new ProducerRecord<>(p.plan.ingest().name(), "wrongtype".getBytes(StandardCharsets.UTF_8), value));
        }
        ModelVersion v1 = p.publishModel("v1", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                v1.getVersion(), 0.5f);
        try (ScorerService service = p.scorer(128, 1)) {
            Thread run = Pipeline.runInBackground(service);
            run.join(Duration.ofMinutes(3).toMillis());
            assertThat(run.isAlive()).isFalse();
        }
        PassStatus status = p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));
        assertThat(status.getCounts().getDlq()).isEqualTo(20);
        assertThat(status.getCounts().getInput()).isEqualTo(1_022);
        var decisions = p.decisions(1);
        assertExactlyOnce(decisions, ids);
        assertThat(decisions).filteredOn(r -> r.key().equals("big")).singleElement()
                .satisfies(r -> assertThat(r.value().getDecision()).isEqualTo(Decision.REMOVED));
        var dlq = p.readAll(p.plan.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        assertThat(dlq).hasSize(20);
        assertThat(dlq).allSatisfy(r -> {
            assertThat(r.headers().lastHeader("recurate.dlq.topic")).isNotNull();
            assertThat(r.headers().lastHeader("recurate.dlq.offset")).isNotNull();
            assertThat(r.headers().lastHeader("recurate.dlq.error.message")).isNotNull();
        });
        assertThat(dlq).anySatisfy(r -> assertThat(new String(r.headers().lastHeader("recurate.dlq.error.message").value(),
                StandardCharsets.UTF_8)).contains("schema id 999999 is unknown"));
        assertThat(dlq).anySatisfy(r -> assertThat(new String(r.headers().lastHeader("recurate.dlq.error.message").value(),
                StandardCharsets.UTF_8)).contains("holds Annotation, expected a Document"));
        assertThat(dlq).anySatisfy(r -> assertThat(new String(r.headers().lastHeader("recurate.dlq.error.message").value(),
                StandardCharsets.UTF_8)).contains("invalid UTF-8"));
    }

    static void assertExactlyOnce(List<ConsumerRecord<String, ScoredDocument>> decisions, List<String> expectedIds) {
        Set<String> seen = new HashSet<>();
        List<String> duplicates = decisions.stream().map(ConsumerRecord::key).filter(k -> !seen.add(k)).limit(10).toList();
        assertThat(duplicates).as("documents decided twice").isEmpty();
        assertThat(seen).as("kept ∪ removed equals the input").isEqualTo(new HashSet<>(expectedIds));
    }
}
