package io.recurate.cli;

import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.ScorerServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The scorer's options and the one place its configuration is built from them ('scorer', and 'run' in process). */
final class ScorerServiceOptions {
    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-size", defaultValue = "256", description = "Records per scored batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-wait-ms", defaultValue = "50", description = "Longest wait of a buffered record, ms (default: ${DEFAULT-VALUE}).")
    long batchWaitMs;

    @Option(names = "--threads", defaultValue = "1", description = "Kafka Streams threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--scoring-threads", paramLabel = "N",
            description = "Threads that score batches (featurizing them, then ONNX Runtime calls, one at a time) while the "
                    + "stream threads read and write (default: one per core).")
    Integer scoringThreads;

    @Option(names = "--onnx-threads", defaultValue = "1", description = "Threads per batch, to featurize its documents and in ONNX Runtime (default: ${DEFAULT-VALUE}).")
    int onnxThreads;

    @Option(names = "--max-tokens-per-batch", defaultValue = "" + ScorerSettings.DEFAULT_MAX_TOKENS_PER_BATCH,
            description = "Transformer bundles: most padded tokens (documents x longest) per inference call, so that a "
                    + "call of long documents fits the device's memory (default: ${DEFAULT-VALUE}).")
    int maxTokensPerBatch;

    @Option(names = "--cuda-option", paramLabel = "KEY=VALUE",
            description = "An ONNX Runtime CUDA provider option, repeatable: gpu_mem_limit=BYTES, "
                    + "arena_extend_strategy=kSameAsRequested, cudnn_conv_algo_search=HEURISTIC, ... (device id: --device cuda:N).")
    java.util.Map<String, String> cudaOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state (default: <home>/streams).")
    Path stateDir;

    @Option(names = "--slowest-batch-ms", defaultValue = "10000",
            description = "Longest a batch may take; sizes transaction and poll timeouts (default: ${DEFAULT-VALUE}).")
    long slowestBatchMs;

    /** The defaults, for the scorer that 'run' starts in its own process. */
    static ScorerServiceOptions defaults() {
        return CommandLine.populateCommand(new ScorerServiceOptions());
    }

    ScorerServiceConfig config(ClusterOptions.Cluster cluster, Path home) {
        if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
            throw new IllegalArgumentException("--guarantee must be exactly_once_v2 or at_least_once, not " + guarantee);
        }
        return new ScorerServiceConfig(cluster.kafkaConfig(), cluster.namespace(),
                stateDir != null ? stateDir : home.resolve("streams"), guarantee.equals("exactly_once_v2"), threads,
                new BatchSettings(batchSize, Duration.ofMillis(batchWaitMs)),
                new ScorerSettings(Device.parse(device), onnxThreads, Math.max(batchSize, 1), maxTokensPerBatch, cudaOptions),
                Duration.ofMillis(slowestBatchMs),
                scoringThreads != null ? scoringThreads : ScorerServiceConfig.defaultScoringThreads());
    }
}
