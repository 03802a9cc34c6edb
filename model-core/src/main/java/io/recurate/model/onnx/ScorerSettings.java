package io.recurate.model.onnx;

import java.util.Map;

/**
 * ONNX Runtime settings of a scorer.
 *
 * @param device            auto, cpu or cuda:N
 * @param intraOpThreads    threads one batch may use, to featurize its documents and inside ONNX Runtime (0 = all cores)
 * @param maxBatch          documents per inference call at most; calls are split, grouped by length, and cut where
 *                          padding would be over a fifth of a batch ({@code FeatureBatch.cuts})
 * @param maxTokensPerBatch transformer bundles: most padded tokens (rows x longest row) per inference call, so that
 *                          a batch of long documents fits an accelerator's memory; hashed n-gram models ignore it
 * @param cudaOptions       CUDA execution provider options passed as given (e.g. gpu_mem_limit,
 *                          arena_extend_strategy, cudnn_conv_algo_search); see ONNX Runtime's CUDA provider page
 */
public record ScorerSettings(Device device, int intraOpThreads, int maxBatch, int maxTokensPerBatch,
                             Map<String, String> cudaOptions) {
    public static final int DEFAULT_MAX_TOKENS_PER_BATCH = 32_768;

    public ScorerSettings {
        if (intraOpThreads < 0 || maxBatch < 1 || maxTokensPerBatch < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0, maxBatch and maxTokensPerBatch >= 1");
        }
        cudaOptions = Map.copyOf(cudaOptions);
    }

    public ScorerSettings(Device device, int intraOpThreads, int maxBatch) {
        this(device, intraOpThreads, maxBatch, DEFAULT_MAX_TOKENS_PER_BATCH, Map.of());
    }

    /** auto device, one thread, batches of 256. */
    public static ScorerSettings defaults() {
        return new ScorerSettings(Device.AUTO, 1, 256);
    }

    public ScorerSettings withDevice(Device value) {
        return new ScorerSettings(value, intraOpThreads, maxBatch, maxTokensPerBatch, cudaOptions);
    }

    public ScorerSettings withThreads(int value) {
        return new ScorerSettings(device, value, maxBatch, maxTokensPerBatch, cudaOptions);
    }

    public ScorerSettings withMaxBatch(int value) {
        return new ScorerSettings(device, intraOpThreads, value, maxTokensPerBatch, cudaOptions);
    }

    public ScorerSettings withMaxTokensPerBatch(int value) {
        return new ScorerSettings(device, intraOpThreads, maxBatch, value, cudaOptions);
    }

    public ScorerSettings withCudaOptions(Map<String, String> value) {
        return new ScorerSettings(device, intraOpThreads, maxBatch, maxTokensPerBatch, value);
    }
}
