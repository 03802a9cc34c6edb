package io.recurate.trainer;

import io.recurate.curation.versions.ModelPublisher;
import io.recurate.curation.versions.PassTrainer;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.topics.PassStarter;
import io.recurate.topics.RecurateTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer worker: follows {@code <ns>.passes}; when a pass is SCORED and its next version is not
 * announced yet, trains it, announces and promotes it and marks the pass TRAINED. When the version is
 * announced already (a worker stopped between announcing and marking the pass), it only marks the pass:
 * announcing again would promote again and undo a {@code models promote} made since. A worker killed
 * mid-training announces nothing; restarted, it sees the pass still SCORED and trains again.
 */
public final class TrainerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainerService.class);

    private final TrainerConfig config;
    private final RecurateTopics topics;
    private final PassTrainer trainer;
    private final ModelPublisher publisher;
    static final int RETRY_SECONDS = 30;
    private volatile boolean running = true;
    private long retryAt;
    private KafkaConsumer<String, PassStatus> consumer;

    private final io.micrometer.core.instrument.MeterRegistry meters;

    public TrainerService(TrainerConfig config, RecurateTopics topics, io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.config = config;
        this.topics = topics;
        this.trainer = new PassTrainer(config, topics);
        this.publisher = new ModelPublisher(config.kafkaConfig(), topics);
    }

    public void run() {
        var passes = topics.passes();
        Map<String, Object> consumerConfig = new java.util.HashMap<>(config.kafkaConfig());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "unused-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(consumerConfig, passes.keySerde().deserializer(), passes.valueSerde().deserializer());
        TopicPartition tp = new TopicPartition(passes.name(), 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Map<Integer, PassStatus> latest = new TreeMap<>();
        log.info("Trainer worker started: namespace {}, artifacts {}", topics.plan().namespace(), config.artifacts());
        try {
            while (running) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> latest.put(r.value().getPass(), r.value()));
                for (PassStatus status : latest.values()) {
                    if (status.getState() == PassState.SCORED && System.currentTimeMillis() >= retryAt) {
                        PassStatus trained = PassStatus.newBuilder(status).setState(PassState.TRAINED).build();
                        try {
                            String next = PassTrainer.versionAfter(status.getPass());
                            if (publisher.all().containsKey(config.modelName() + ":" + next)) {
                                log.info("Model {} {} is announced already; marking pass {} trained", config.modelName(),
                                        next, status.getPass());
                            } else {
                                trainer.trainAfter(status, new TrainerMetrics(meters, next));
                            }
                            new PassStarter(config.kafkaConfig(), topics).publish(trained);
                        } catch (RuntimeException e) {
                            // E.g. a full or unwritable artifact store: nothing is announced, the scorer keeps
                            // serving the model it has, and the trainer tries again later. A bundle written but
                            // not marked TRAINED (broker unreachable) is reused and announced again then.
                            log.error("Training after pass {} failed: {}. Retrying in {} s; the running model keeps "
                                    + "serving.", status.getPass(), e.getMessage(), RETRY_SECONDS);
                            io.micrometer.core.instrument.Counter.builder("recurate.trainer.failures")
                                    .description("Training runs that failed and will be retried").register(meters).increment();
                            retryAt = System.currentTimeMillis() + RETRY_SECONDS * 1000L;
                            continue;
                        }
                        io.micrometer.core.instrument.Counter.builder("recurate.trainer.versions")
                                .description("Model versions trained and announced").register(meters).increment();
                        latest.put(status.getPass(), trained);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
    }
}
