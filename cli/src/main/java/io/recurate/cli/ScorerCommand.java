package io.recurate.cli;

import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.ScorerService;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.topics.TopicPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = {"Run the scorer service: follows <ns>.models (loads and checks every new model version as it "
                + "arrives) and <ns>.passes, and scores each RUNNING pass with the model version it is pinned to, "
                + "exactly once by default. Stops cleanly on SIGTERM; a restarted scorer resumes a pass where it stopped.",
                "With --pass N it scores pass N only and exits when the pass is complete."})
final class ScorerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ScorerCommand.class);

    @Mixin
    ClusterOptions cluster;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--pass", paramLabel = "N", description = "Score pass N only, then exit.")
    Integer pass;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "256", description = "Records per scored batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-wait-ms", defaultValue = "50", description = "Longest wait of a buffered record, ms (default: ${DEFAULT-VALUE}).")
    long batchWaitMs;

    @Option(names = "--threads", defaultValue = "1", description = "Kafka Streams threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--onnx-threads", defaultValue = "1", description = "ONNX Runtime threads per batch (default: ${DEFAULT-VALUE}).")
    int onnxThreads;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state (default: <home>/streams).")
    Path stateDir;

    @Option(names = "--slowest-batch-ms", defaultValue = "10000",
            description = "Longest a batch may take; sizes transaction and poll timeouts (default: ${DEFAULT-VALUE}).")
    long slowestBatchMs;

    @Override
    public Integer call() throws Exception {
        if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
            throw new IllegalArgumentException("--guarantee must be exactly_once_v2 or at_least_once, not " + guarantee);
        }
        ClusterOptions.Cluster resolved = cluster.resolve();
        log.info("Cluster: {}", resolved.describe());
        ScorerServiceConfig config = new ScorerServiceConfig(resolved.kafkaConfig(), resolved.namespace(),
                stateDir != null ? stateDir : cluster.home.resolve("streams"), guarantee.equals("exactly_once_v2"), threads,
                new BatchSettings(batchSize, Duration.ofMillis(batchWaitMs)),
                new ScorerSettings(Device.parse(device), onnxThreads, Math.max(batchSize, 1)), Duration.ofMillis(slowestBatchMs));
        var endpoint = metrics.open("scorer", 9404);
        ScorerService service = new ScorerService(config, resolved.topics(new TopicPlan(resolved.namespace(), 6, (short) 1)),
                resolved.registry(), endpoint.registry(), pass);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("Stopping the scorer (signal): committing what was scored");
            service.close();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scorer-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            service.run();
        } catch (InterruptedException e) {
            log.info("Scorer stopped");
        } finally {
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            service.close();
        } catch (IllegalStateException shuttingDown) {
            // the hook is already closing the service
        }
        endpoint.close();
        return 0;
    }
}
