package io.recurate.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.Example;
import io.recurate.model.train.LinearModel;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.ScorerService;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/** One namespace on the test cluster with a trained model: what the scorer tests share. */
final class Pipeline {
    static final FeaturizerSpec SPEC = FeaturizerSpec.of(List.of(1, 2), 1 << 14, 512);
    final TestCluster cluster;
    final TopicPlan plan;
    final RecurateTopics topics;
    final Path home;

    Pipeline(TestCluster cluster, String prefix) {
        this.cluster = cluster;
        this.plan = new TopicPlan(TestCluster.uniqueNamespace(prefix), 3, (short) 1);
        this.topics = new RecurateTopics(plan, new RecurateSerdes(cluster.registryClient()));
        this.home = TestCluster.workDir().resolve(plan.namespace());
        try (TopicAdmin admin = new TopicAdmin(cluster.kafkaConfig())) {
            admin.ensure(plan.baseTopics());
        }
    }

    /** Every fifth document is spam. */
    static boolean isSpam(int i) {
        return i % 5 == 0;
    }

    static Document document(int i) {
        String text = isSpam(i) ? "win the casino lottery prize now " + i : "meeting notes and agenda for monday " + i;
        return Document.newBuilder().setId("d" + i).setText(text).setSource("it").setContentSha256("00")
                .setIngestedAt(Instant.now()).build();
    }

    List<String> publishDocuments(int count) {
        var ingest = topics.ingest();
        Map<String, Object> config = cluster.kafkaConfig();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        List<String> ids = new ArrayList<>();
        try (var producer = new KafkaProducer<>(config, ingest.keySerde().serializer(), ingest.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                Document d = document(i);
                producer.send(new ProducerRecord<>(ingest.name(), d.getId(), d));
                ids.add(d.getId());
            }
            producer.flush();
        }
        return ids;
    }

    /** Trains a model on synthetic spam/ham, writes its bundle and announces it on the models topic. */
    ModelVersion publishModel(String version, long seed) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            examples.add(Example.of(document(i).getText(), isSpam(i)));
        }
        LinearModel model = new Trainer(SPEC, TrainerSettings.defaults().withSeed(seed)).train(examples.iterator(),
                TrainingListener.NONE).model();
        Path dir = home.resolve("models").resolve(version + "-" + UUID.randomUUID());
        ModelBundle bundle = ModelBundle.write(model, new ModelBundle.Description("filter", version, null, 0.5f, Map.of(),
                Map.of()), OnnxExporter.defaults(), dir);
        ModelVersion mv = ModelVersion.newBuilder().setName("filter").setVersion(version).setArtifactUri(dir.toUri().toString())
                .setSha256(bundle.manifest().sha256()).setFeaturizerSpec(SPEC.toJson()).setThreshold(0.5f)
                .setCreatedAt(Instant.now()).build();
        announce(mv);
        return mv;
    }

    void announce(ModelVersion mv) {
        KafkaIo.produce(cluster, topics.models(), Map.of(mv.getName(), mv));
    }

    ScorerServiceConfig scorerConfig(int batch) {
        return new ScorerServiceConfig(cluster.kafkaConfig(), plan.namespace(), home.resolve("streams-" + UUID.randomUUID()),
                true, 1, new BatchSettings(batch, Duration.ofMillis(50)), new ScorerSettings(Device.CPU, 1, batch),
                Duration.ofSeconds(10));
    }

    ScorerService scorer(int batch, Integer onlyPass) {
        return new ScorerService(scorerConfig(batch), topics, cluster.registryClient(), new SimpleMeterRegistry(), onlyPass);
    }

    /** Runs a service in the background; the returned thread ends when the service does. */
    static Thread runInBackground(ScorerService service) {
        Thread t = new Thread(() -> {
            try {
                service.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scorer-under-test");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Latest status of a pass, waiting until it has the given state. */
    PassStatus awaitPass(int pass, PassState state, Duration timeout) {
        return awaitPass(pass, timeout, state);
    }

    /** Latest status of a pass, waiting until it has one of the given states. */
    PassStatus awaitPass(int pass, Duration timeout, PassState... states) {
        var passes = topics.passes();
        long deadline = System.nanoTime() + timeout.toNanos();
        PassStatus latest = null;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, PassStatus> r : readAll(passes.name(), passes.keySerde().deserializer(),
                    passes.valueSerde().deserializer())) {
                if (r.value().getPass() == pass) {
                    latest = r.value();
                }
            }
            if (latest != null && java.util.Arrays.asList(states).contains(latest.getState())) {
                return latest;
            }
            sleep(500);
        }
        throw new AssertionError("Pass " + pass + " did not reach " + java.util.Arrays.toString(states) + " within " + timeout
                + "; last: " + latest);
    }

    List<ConsumerRecord<String, ScoredDocument>> decisions(int pass) {
        List<ConsumerRecord<String, ScoredDocument>> out = new ArrayList<>();
        out.addAll(readAll(topics.kept(pass).name(), topics.kept(pass).keySerde().deserializer(),
                topics.kept(pass).valueSerde().deserializer()));
        out.addAll(readAll(topics.removed(pass).name(), topics.removed(pass).keySerde().deserializer(),
                topics.removed(pass).valueSerde().deserializer()));
        return out;
    }

    /** Everything committed in a topic now (read_committed, up to the end offsets at call time). */
    <K, V> List<ConsumerRecord<K, V>> readAll(String topic, Deserializer<K> keys, Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>(cluster.kafkaConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, keys, values)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            var end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The records a pass's committed progress counts, over every partition. */
    long committedInput(int pass) {
        var topic = topics.progress(pass);
        Map<String, io.recurate.schemas.PassProgress> latest = new HashMap<>();
        readAll(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer())
                .forEach(r -> latest.put(r.key(), r.value()));
        return latest.values().stream().mapToLong(io.recurate.schemas.PassProgress::getInput).sum();
    }

    /** Waits (two minutes at most) until a pass's committed progress counts at least {@code input} records. */
    void awaitInput(int pass, long input) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (committedInput(pass) >= input) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError("Pass " + pass + " did not reach " + input + " records in time");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
