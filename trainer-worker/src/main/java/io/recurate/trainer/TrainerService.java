package io.recurate.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recurate.service.Service;
import io.recurate.curation.versions.PassTrainer;
import io.recurate.ledger.ModelLedger;
import io.recurate.ledger.PassLedger;
import io.recurate.curation.versions.TrainerConfig;
import io.recurate.schemas.PassStatus;
import io.recurate.topics.RecurateTopics;
import java.time.Duration;
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
public final class TrainerService implements Service {
    private static final Logger log = LoggerFactory.getLogger(TrainerService.class);

    private final TrainerConfig config;
    private final RecurateTopics topics;
    private final PassTrainer trainer;
    static final int RETRY_SECONDS = 30;
    private volatile boolean running = true;
    private volatile PassLedger passes;

    private final MeterRegistry meters;

    public TrainerService(TrainerConfig config, RecurateTopics topics, MeterRegistry meters) {
        this.meters = meters;
        this.config = config;
        this.topics = topics;
        this.trainer = new PassTrainer(config, topics);
    }

    @Override
    public void run() {
        passes = new PassLedger(config.kafkaConfig(), topics);
        PassQueue queue = new PassQueue(RETRY_SECONDS * 1000L);
        log.info("Trainer worker started: namespace {}, artifacts {}", topics.plan().namespace(), config.artifacts());
        try {
            while (running) {
                passes.follow(Duration.ofMillis(500)).forEach(queue::update);
                for (var status = queue.next(System.currentTimeMillis()); status.isPresent() && running;
                     status = queue.next(System.currentTimeMillis())) {
                    train(status.get(), queue);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            passes.close();
        }
    }

    /** Trains the version after the pass (unless it is announced already) and marks the pass trained. */
    private void train(PassStatus status, PassQueue queue) {
        try {
            String next = PassTrainer.versionAfter(status.getPass());
            if (announced(next)) {
                log.info("Model {} {} is announced already; marking pass {} trained", config.modelName(), next,
                        status.getPass());
            } else {
                trainer.trainAfter(status, new TrainerMetrics(meters, next));
            }
            passes.trained(status);
        } catch (RuntimeException e) {
            // E.g. a full or unwritable artifact store: nothing is announced, the scorer keeps serving the
            // model it has, and the trainer tries again later. A bundle written but not marked TRAINED
            // (broker unreachable) is reused and announced again then.
            log.error("Training after pass {} failed: {}. Retrying in {} s; the running model keeps serving.",
                    status.getPass(), e.getMessage(), RETRY_SECONDS);
            Counter.builder("recurate.trainer.failures").description("Training runs that failed and will be retried")
                    .register(meters).increment();
            queue.failed(System.currentTimeMillis());
            return;
        }
        Counter.builder("recurate.trainer.versions").description("Model versions trained and announced")
                .register(meters).increment();
        queue.trained(status);
    }

    private boolean announced(String version) {
        try (ModelLedger models = new ModelLedger(config.kafkaConfig(), topics)) {
            return models.version(config.modelName(), version).isPresent();
        }
    }

    @Override
    public void close() {
        running = false;
        PassLedger following = passes;
        if (following != null) {
            following.wakeup();
        }
    }
}
