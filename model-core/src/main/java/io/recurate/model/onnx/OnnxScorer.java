package io.recurate.model.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.recurate.model.featurize.FeatureBatch;
import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.score.BundleScorer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores with ONNX Runtime on CUDA or CPU. Inputs go through direct buffers that are kept and
 * reused between calls (ONNX Runtime reads them in place); documents are batched by length so that
 * little padding is computed. Thread-safe: calls are serialized, since they share the buffers.
 */
public final class OnnxScorer implements BundleScorer {
    private static final Logger log = LoggerFactory.getLogger(OnnxScorer.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Featurizer featurizer;
    private final ScorerSettings settings;
    private final String device;
    private final java.util.concurrent.atomic.LongAdder featurizeNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder inferenceNanos = new java.util.concurrent.atomic.LongAdder();
    /** Featurizes a batch's documents in parallel when the settings give more than one thread; else null. */
    private final java.util.concurrent.ForkJoinPool featurizers;
    private IntBuffer ids = IntBuffer.allocate(0);
    private FloatBuffer inverseLengths = FloatBuffer.allocate(0);

    private OnnxScorer(OrtEnvironment env, OrtSession session, Featurizer featurizer, ScorerSettings settings,
                       String device) {
        this.env = env;
        this.session = session;
        this.featurizer = featurizer;
        this.settings = settings;
        int threads = settings.intraOpThreads() == 0 ? Runtime.getRuntime().availableProcessors() : settings.intraOpThreads();
        this.featurizers = threads > 1 ? new java.util.concurrent.ForkJoinPool(threads) : null;
        this.device = device;
    }

    /** Loads {@code model} on the settings' device ({@link OnnxSessions#open}) and checks its inputs and output. */
    public static OnnxScorer open(Path model, FeaturizerSpec spec, ScorerSettings settings) {
        OnnxSessions.Opened opened = OnnxSessions.open(model, settings);
        return checked(new OnnxScorer(opened.env(), opened.session(), new Featurizer(spec), settings, opened.device()));
    }

    /** Refuses a graph that does not have recurate's inputs and output. */
    private static OnnxScorer checked(OnnxScorer scorer) {
        try {
            Set<String> inputs = scorer.session.getInputNames();
            Set<String> outputs = scorer.session.getOutputNames();
            if (!inputs.equals(Set.of(GraphNames.IDS, GraphNames.INVERSE_LENGTHS)) || !outputs.contains(GraphNames.SCORE)) {
                scorer.close();
                throw new IllegalArgumentException("The ONNX model has inputs " + inputs + " and outputs " + outputs
                        + "; recurate expects inputs [" + GraphNames.IDS + ", " + GraphNames.INVERSE_LENGTHS
                        + "] and output " + GraphNames.SCORE);
            }
            Map<String, NodeInfo> info = scorer.session.getInputInfo();
            log.debug("ONNX inputs {}", info);
        } catch (OrtException e) {
            scorer.close();
            throw new IllegalArgumentException("Cannot inspect the ONNX model: " + e.getMessage(), e);
        }
        return scorer;
    }

    @Override
    public String device() {
        return device;
    }

    public FeaturizerSpec spec() {
        return featurizer.spec();
    }

    @Override
    public float[] score(List<String> texts) {
        long start = System.nanoTime();
        List<int[]> features;
        if (featurizers != null && texts.size() > 1) {
            // The featurizer is most of a batch's cost and each document's ids are independent (thread-local scratch).
            features = featurizers.submit(() -> texts.parallelStream().map(featurizer::ids).toList()).join();
        } else {
            features = new ArrayList<>(texts.size());
            for (String text : texts) {
                features.add(featurizer.ids(text));
            }
        }
        featurizeNanos.add(System.nanoTime() - start);
        return scoreIds(features);
    }

    @Override
    public double featurizeSeconds() {
        return featurizeNanos.sum() / 1e9;
    }

    @Override
    public double inferenceSeconds() {
        return inferenceNanos.sum() / 1e9;
    }

    /** Scores already featurized documents. */
    public synchronized float[] scoreIds(List<int[]> documents) {
        long began = System.nanoTime();
        float[] scores = new float[documents.size()];
        int[] order = FeatureBatch.lengthOrder(documents);
        int[] lengths = new int[order.length];
        for (int k = 0; k < order.length; k++) {
            lengths[k] = documents.get(order[k]).length;
        }
        int start = 0;
        for (int end : FeatureBatch.cuts(lengths, settings.maxBatch())) {
            List<int[]> batch = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                batch.add(documents.get(order[k]));
            }
            float[] batchScores = run(batch);
            for (int k = start; k < end; k++) {
                scores[order[k]] = batchScores[k - start];
            }
            start = end;
        }
        inferenceNanos.add(System.nanoTime() - began);
        return scores;
    }

    private float[] run(List<int[]> batch) {
        int size = batch.size();
        int width = 1;
        for (int[] doc : batch) {
            width = Math.max(width, doc.length);
        }
        ensureCapacity(size * width, size);
        ids.clear();
        inverseLengths.clear();
        for (int[] doc : batch) {
            ids.put(doc);
            for (int i = doc.length; i < width; i++) {
                ids.put(0);
            }
            inverseLengths.put(doc.length == 0 ? 0f : 1f / doc.length);
        }
        ids.flip();
        inverseLengths.flip();
        try (OnnxTensor idTensor = OnnxTensor.createTensor(env, ids, new long[] {size, width});
             OnnxTensor invTensor = OnnxTensor.createTensor(env, inverseLengths, new long[] {size, 1});
             OrtSession.Result result = session.run(Map.of(GraphNames.IDS, idTensor, GraphNames.INVERSE_LENGTHS, invTensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] scores = new float[size];
            out.get(scores);
            return scores;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to score a batch of " + size + " documents: "
                    + e.getMessage(), e);
        }
    }

    private void ensureCapacity(int idCount, int rows) {
        if (ids.capacity() < idCount) {
            ids = ByteBuffer.allocateDirect(Math.max(idCount, ids.capacity() * 2) * Integer.BYTES)
                    .order(ByteOrder.nativeOrder()).asIntBuffer();
        }
        if (inverseLengths.capacity() < rows) {
            inverseLengths = ByteBuffer.allocateDirect(Math.max(rows, settings.maxBatch()) * Float.BYTES)
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
    }

    @Override
    public void close() {
        if (featurizers != null) {
            featurizers.shutdown();
        }
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing the ONNX Runtime session failed: {}", e.getMessage());
        }
    }
}
