package io.recurate.model.transformer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.recurate.model.onnx.OnnxSessions;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores with a Hugging Face sequence classifier exported to ONNX: texts are tokenized by the bundle's
 * {@code tokenizer.json}, sorted by token count and cut into inference calls of at most {@code maxBatch} rows and
 * {@code maxTokensPerBatch} padded tokens, each padded to its own longest row, so that little padding is computed
 * and a call of long documents fits an accelerator's memory. The score is the softmax probability of the violating
 * label (the sigmoid of the logit for a one-logit model). Thread-safe: inference calls are serialized.
 */
public final class TransformerScorer implements BundleScorer {
    private static final Logger log = LoggerFactory.getLogger(TransformerScorer.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final TransformerSpec spec;
    private final ScorerSettings settings;
    private final String device;
    private final int labels;
    private final ForkJoinPool tokenizers;
    private final LongAdder tokenizeNanos = new LongAdder();
    private final LongAdder inferenceNanos = new LongAdder();
    private final LongAdder paddedTokens = new LongAdder();
    private final LongAdder realTokens = new LongAdder();

    private TransformerScorer(OnnxSessions.Opened opened, TextTokenizer tokenizer, TransformerSpec spec,
                              ScorerSettings settings, int labels) {
        this.env = opened.env();
        this.session = opened.session();
        this.device = opened.device();
        this.tokenizer = tokenizer;
        this.spec = spec;
        this.settings = settings;
        this.labels = labels;
        int threads = settings.intraOpThreads() == 0 ? Runtime.getRuntime().availableProcessors() : settings.intraOpThreads();
        this.tokenizers = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    /**
     * Opens the model and its tokenizer and checks that they belong together: the tokenizer's ids fit the model's
     * embedding table, the graph has the spec's inputs (int64) and output, and the violating label is one of its
     * logits.
     *
     * @throws IllegalArgumentException when they do not, saying what differs
     */
    public static TransformerScorer open(Path model, Path tokenizerFile, TransformerSpec spec, ScorerSettings settings) {
        TextTokenizer tokenizer = TextTokenizer.open(tokenizerFile, spec.maxLength(), spec.keepsStart());
        try {
            OnnxGraphFacts facts = OnnxGraphFacts.read(model);
            facts.rowsIndexedBy(spec.inputIds()).ifPresent(rows -> {
                if (rows < tokenizer.vocabularySize()) {
                    throw new IllegalArgumentException(tokenizerFile.getFileName() + " has " + tokenizer.vocabularySize()
                            + " token ids but the model's embedding table for " + spec.inputIds() + " has " + rows
                            + " rows: the tokenizer is not the model's");
                }
            });
            OnnxSessions.Opened opened = OnnxSessions.open(model, settings);
            try {
                int labels = checkGraph(opened.session(), spec);
                return new TransformerScorer(opened, tokenizer, spec, settings, labels);
            } catch (RuntimeException e) {
                closeQuietly(opened.session());
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** @return the number of logits the model gives per document */
    private static int checkGraph(OrtSession session, TransformerSpec spec) {
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Set<String> expected = new TreeSet<>(List.of(spec.inputIds(), spec.attentionMask()));
            if (spec.tokenTypeIds() != null) {
                expected.add(spec.tokenTypeIds());
            }
            if (!inputs.keySet().equals(expected)) {
                throw new IllegalArgumentException("the model has inputs " + new TreeSet<>(inputs.keySet())
                        + " but the manifest feeds " + expected);
            }
            for (String name : expected) {
                TensorInfo info = (TensorInfo) inputs.get(name).getInfo();
                if (info.type != OnnxJavaType.INT64 || info.getShape().length != 2) {
                    throw new IllegalArgumentException("input " + name + " is " + info.type + " " + Arrays.toString(info.getShape())
                            + "; recurate feeds int64 [batch, length] (Hugging Face's export)");
                }
            }
            NodeInfo output = session.getOutputInfo().get(spec.output());
            if (output == null) {
                throw new IllegalArgumentException("the model has outputs " + session.getOutputNames() + ", not "
                        + spec.output());
            }
            long[] shape = ((TensorInfo) output.getInfo()).getShape();
            int labels = shape.length == 2 && shape[1] > 0 ? (int) shape[1] : -1;
            if (shape.length != 2 || labels < 0) {
                throw new IllegalArgumentException("output " + spec.output() + " has shape " + Arrays.toString(shape)
                        + "; a sequence classifier gives [batch, labels]");
            }
            if (spec.violatingLabel() >= labels) {
                throw new IllegalArgumentException("the manifest's violating label is " + spec.violatingLabel()
                        + " but the model gives " + labels + " logit(s)");
            }
            return labels;
        } catch (OrtException e) {
            throw new IllegalArgumentException("Cannot inspect the ONNX model: " + e.getMessage(), e);
        }
    }

    @Override
    public String device() {
        return device;
    }

    public TransformerSpec spec() {
        return spec;
    }

    /** The token ids a text is scored on. */
    public long[] tokenIds(String text) {
        return tokenizer.ids(text);
    }

    @Override
    public float[] score(List<String> texts) {
        long start = System.nanoTime();
        List<long[]> ids;
        if (tokenizers != null && texts.size() > 1) {
            ids = tokenizers.submit(() -> texts.parallelStream().map(tokenizer::ids).toList()).join();
        } else {
            ids = new ArrayList<>(texts.size());
            for (String text : texts) {
                ids.add(tokenizer.ids(text));
            }
        }
        tokenizeNanos.add(System.nanoTime() - start);
        return scoreIds(ids);
    }

    /** Scores tokenized documents: sorted by length, cut into calls by the row and token caps. */
    public synchronized float[] scoreIds(List<long[]> documents) {
        long began = System.nanoTime();
        Integer[] order = new Integer[documents.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(documents.get(a).length, documents.get(b).length));
        float[] scores = new float[documents.size()];
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && end - start < settings.maxBatch()
                    && (long) (end - start + 1) * documents.get(order[end]).length <= settings.maxTokensPerBatch()) {
                end++;
            }
            List<long[]> call = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                call.add(documents.get(order[k]));
            }
            float[] callScores = run(call);
            for (int k = start; k < end; k++) {
                scores[order[k]] = callScores[k - start];
            }
            start = end;
        }
        inferenceNanos.add(System.nanoTime() - began);
        return scores;
    }

    private float[] run(List<long[]> call) {
        int rows = call.size();
        int width = call.get(rows - 1).length; // sorted: the last is the longest
        LongBuffer ids = direct(rows * width);
        LongBuffer mask = direct(rows * width);
        for (long[] doc : call) {
            ids.put(doc);
            for (int i = doc.length; i < width; i++) {
                ids.put(tokenizer.padId());
            }
            for (int i = 0; i < width; i++) {
                mask.put(i < doc.length ? 1L : 0L);
            }
            realTokens.add(doc.length);
        }
        paddedTokens.add((long) rows * width);
        ids.flip();
        mask.flip();
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(spec.inputIds(), OnnxTensor.createTensor(env, ids, shape));
            inputs.put(spec.attentionMask(), OnnxTensor.createTensor(env, mask, shape));
            if (spec.tokenTypeIds() != null) {
                inputs.put(spec.tokenTypeIds(), OnnxTensor.createTensor(env, direct(rows * width), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(spec.output()))) {
                FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] scores = new float[rows];
                double[] row = new double[labels];
                for (int r = 0; r < rows; r++) {
                    for (int l = 0; l < labels; l++) {
                        row[l] = logits.get(r * labels + l);
                    }
                    scores[r] = (float) violatingProbability(row, spec.violatingLabel());
                }
                return scores;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to score a batch of " + rows + " documents of up to "
                    + width + " tokens: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Softmax probability of {@code label}; the sigmoid of the one logit of a one-logit model. */
    static double violatingProbability(double[] logits, int label) {
        if (logits.length == 1) {
            return 1 / (1 + Math.exp(-logits[0]));
        }
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        for (double z : logits) {
            sum += Math.exp(z - max);
        }
        return Math.exp(logits[label] - max) / sum;
    }

    private static LongBuffer direct(int count) {
        return ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    @Override
    public double featurizeSeconds() {
        return tokenizeNanos.sum() / 1e9;
    }

    @Override
    public double inferenceSeconds() {
        return inferenceNanos.sum() / 1e9;
    }

    /** Share of the computed tokens that were padding, since the scorer opened (0 when nothing was scored). */
    public double paddingShare() {
        long padded = paddedTokens.sum();
        return padded == 0 ? 0 : 1 - (double) realTokens.sum() / padded;
    }

    @Override
    public void close() {
        if (tokenizers != null) {
            tokenizers.shutdown();
        }
        closeQuietly(session);
        tokenizer.close();
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing the ONNX Runtime session failed: {}", e.getMessage());
        }
    }
}
