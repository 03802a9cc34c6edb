package io.recurate.model.onnx;

/**
 * ONNX Runtime settings of a scorer.
 *
 * @param device        auto, cpu or cuda:N
 * @param intraOpThreads threads one batch may use, to featurize its documents and inside ONNX Runtime (0 = all cores)
 * @param maxBatch      documents per inference call; larger calls are split, grouped by length
 */
public record ScorerSettings(Device device, int intraOpThreads, int maxBatch) {
    public ScorerSettings {
        if (intraOpThreads < 0 || maxBatch < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 and maxBatch >= 1");
        }
    }

    /** auto device, one thread, batches of 256. */
    public static ScorerSettings defaults() {
        return new ScorerSettings(Device.AUTO, 1, 256);
    }

    public ScorerSettings withDevice(Device value) {
        return new ScorerSettings(value, intraOpThreads, maxBatch);
    }

    public ScorerSettings withThreads(int value) {
        return new ScorerSettings(device, value, maxBatch);
    }

    public ScorerSettings withMaxBatch(int value) {
        return new ScorerSettings(device, intraOpThreads, value);
    }
}
