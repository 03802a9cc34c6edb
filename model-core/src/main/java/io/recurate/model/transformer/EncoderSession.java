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
 * A transformer exported from Hugging Face and its tokenizer: texts in, one output row per text (a classifier's
 * logits, an encoder's pooled embedding). Texts are tokenized by the bundle's {@code tokenizer.json}, sorted by token
 * count and cut into inference calls of at most {@code maxBatch} rows and {@code maxTokensPerBatch} padded tokens,
 * each padded to its own longest row, so that little padding is computed and a call of long documents fits an
 * accelerator's memory. Thread-safe: inference calls are serialized.
 */
final class EncoderSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EncoderSession.class);

    private final OrtEnvironment env;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final TransformerSpec spec;
    private final ScorerSettings settings;
    private final String device;
    private final int width;
    private final ForkJoinPool tokenizers;
    private final LongAdder tokenizeNanos = new LongAdder();
    private final LongAdder inferenceNanos = new LongAdder();
    private final LongAdder paddedTokens = new LongAdder();
    private final LongAdder realTokens = new LongAdder();

    private EncoderSession(OnnxSessions.Opened opened, TextTokenizer tokenizer, TransformerSpec spec,
                           ScorerSettings settings, int width) {
        this.env = opened.env();
        this.session = opened.session();
        this.device = opened.device();
        this.tokenizer = tokenizer;
        this.spec = spec;
        this.settings = settings;
        this.width = width;
        int threads = settings.intraOpThreads() == 0 ? Runtime.getRuntime().availableProcessors() : settings.intraOpThreads();
        this.tokenizers = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    /**
     * Opens the model and its tokenizer and checks that they belong together: the tokenizer's ids fit the model's
     * embedding table, and the graph has the spec's inputs (int64 [batch, length]) and a [batch, width] output.
     *
     * @throws IllegalArgumentException when they do not, saying what differs
     */
    static EncoderSession open(Path model, Path tokenizerFile, TransformerSpec spec, ScorerSettings settings) {
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
                int width = checkGraph(opened.session(), spec);
                return new EncoderSession(opened, tokenizer, spec, settings, width);
            } catch (RuntimeException e) {
                closeQuietly(opened.session());
                throw e;
            }
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** @return the width of the output row per document */
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
            if (spec.pooling() == Pooling.NONE) {
                if (shape.length == 3) {
                    throw new IllegalArgumentException("output " + spec.output() + " has shape " + Arrays.toString(shape)
                            + ": token states [batch, tokens, dim], not one row per text; pool them (--pooling mean, cls "
                            + "or max, as the model's sentence-transformers pooling config says)");
                }
                if (shape.length != 2 || shape[1] <= 0) {
                    throw new IllegalArgumentException("output " + spec.output() + " has shape " + Arrays.toString(shape)
                            + "; recurate reads [batch, width] (a classifier's logits, an encoder's pooled embedding)");
                }
                return (int) shape[1];
            }
            if (shape.length != 3 || shape[2] <= 0) {
                throw new IllegalArgumentException("output " + spec.output() + " has shape " + Arrays.toString(shape)
                        + "; " + spec.pooling().id() + " pooling reads token states [batch, tokens, dim]");
            }
            return (int) shape[2];
        } catch (OrtException e) {
            throw new IllegalArgumentException("Cannot inspect the ONNX model: " + e.getMessage(), e);
        }
    }

    String device() {
        return device;
    }

    /** Values per output row: the number of logits, or the embedding's dimension. */
    int width() {
        return width;
    }

    long[] tokenIds(String text) {
        return tokenizer.ids(spec.prefix() + text);
    }

    /** One output row per text, in input order. */
    float[][] outputs(List<String> texts) {
        long start = System.nanoTime();
        List<long[]> ids;
        if (tokenizers != null && texts.size() > 1) {
            ids = tokenizers.submit(() -> texts.parallelStream().map(this::tokenIds).toList()).join();
        } else {
            ids = new ArrayList<>(texts.size());
            for (String text : texts) {
                ids.add(tokenIds(text));
            }
        }
        tokenizeNanos.add(System.nanoTime() - start);
        return outputsOfIds(ids);
    }

    /** Runs tokenized documents: sorted by length, cut into calls by the row and token caps. */
    synchronized float[][] outputsOfIds(List<long[]> documents) {
        long began = System.nanoTime();
        Integer[] order = new Integer[documents.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(documents.get(a).length, documents.get(b).length));
        float[][] rows = new float[documents.size()][];
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
            float[][] callRows = run(call);
            for (int k = start; k < end; k++) {
                rows[order[k]] = callRows[k - start];
            }
            start = end;
        }
        inferenceNanos.add(System.nanoTime() - began);
        return rows;
    }

    private float[][] run(List<long[]> call) {
        int rows = call.size();
        int length = call.get(rows - 1).length; // sorted: the last is the longest
        LongBuffer ids = direct(rows * length);
        LongBuffer mask = direct(rows * length);
        for (long[] doc : call) {
            ids.put(doc);
            for (int i = doc.length; i < length; i++) {
                ids.put(tokenizer.padId());
            }
            for (int i = 0; i < length; i++) {
                mask.put(i < doc.length ? 1L : 0L);
            }
            realTokens.add(doc.length);
        }
        paddedTokens.add((long) rows * length);
        ids.flip();
        mask.flip();
        long[] shape = {rows, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put(spec.inputIds(), OnnxTensor.createTensor(env, ids, shape));
            inputs.put(spec.attentionMask(), OnnxTensor.createTensor(env, mask, shape));
            if (spec.tokenTypeIds() != null) {
                inputs.put(spec.tokenTypeIds(), OnnxTensor.createTensor(env, direct(rows * length), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(spec.output()))) {
                FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[][] out = new float[rows][];
                if (spec.pooling() == Pooling.NONE) {
                    for (int r = 0; r < rows; r++) {
                        out[r] = new float[width];
                        values.get(out[r]);
                    }
                } else {
                    float[] states = new float[rows * length * width];
                    values.get(states);
                    for (int r = 0; r < rows; r++) {
                        out[r] = spec.pooling().pool(states, r, length, width, call.get(r).length);
                    }
                }
                if (spec.normalize()) {
                    for (float[] row : out) {
                        Pooling.normalize(row);
                    }
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run a batch of " + rows + " documents of up to "
                    + length + " tokens: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static LongBuffer direct(int count) {
        return ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    double tokenizeSeconds() {
        return tokenizeNanos.sum() / 1e9;
    }

    double inferenceSeconds() {
        return inferenceNanos.sum() / 1e9;
    }

    /** Share of the computed tokens that were padding, since the session opened (0 when nothing ran). */
    double paddingShare() {
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
