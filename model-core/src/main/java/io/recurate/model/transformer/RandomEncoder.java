package io.recurate.model.transformer;

import static io.recurate.model.onnx.OnnxProtos.floatTensor;
import static io.recurate.model.onnx.OnnxProtos.intAttribute;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes a BERT-shaped sequence classifier with random weights as ONNX, in the shape Hugging Face's export gives
 * (inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}, int64 [batch, sequence]; output
 * {@code logits} [batch, labels]): word, position and token type embeddings, layer norm, {@code layers} encoder
 * layers (multi-head self-attention with the mask as an additive bias, GELU feed-forward, post-layer-norm
 * residuals), a tanh pooler over the first token and a linear classifier. For benchmarks and tests: a transformer
 * bundle's whole path (tokenizer, padding, batching, checks) without downloading a model.
 */
public final class RandomEncoder {
    private static final int IR_VERSION = 8;
    private static final int OPSET = 17; // LayerNormalization
    public static final float LAYER_NORM_EPSILON = 1e-12f;
    /** What a masked position adds to the attention logits, as BERT does. */
    public static final float MASK_BIAS = -10000f;
    /** The encoder's output (labels 0): the tanh-pooled first token, as sentence-transformers' exports name theirs. */
    public static final String EMBEDDING_OUTPUT = "sentence_embedding";
    /** The output of an encoder written with {@code labels} -1: the last layer's token states, unpooled. */
    public static final String TOKEN_STATES_OUTPUT = "last_hidden_state";

    /**
     * @param vocabulary rows of the word embedding table
     * @param hidden     width of every token's vector
     * @param heads      attention heads (hidden must be a multiple)
     * @param layers     encoder layers
     * @param inner      width of the feed-forward layer
     * @param positions  rows of the position table: the longest sequence the model takes
     * @param labels     logits per document; 0 makes an encoder whose output is the pooled embedding
     *                   ({@code sentence_embedding} [batch, hidden]) instead of a classifier's logits; -1 one whose
     *                   output is the last layer's token states ({@code last_hidden_state} [batch, sequence, hidden]),
     *                   as most Hugging Face encoder exports give them
     */
    public record Shape(int vocabulary, int hidden, int heads, int layers, int inner, int positions, int labels) {
        public Shape {
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("hidden (" + hidden + ") must be a multiple of heads (" + heads + ")");
            }
        }

        /** Two layers of width 32 with two heads: about 0.1 MB of weights besides the embeddings. */
        public static Shape tiny(int vocabulary, int positions) {
            return new Shape(vocabulary, 32, 2, 2, 64, positions, 2);
        }
    }

    private final Shape shape;
    private final Random random;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("random_bert_classifier");

    private RandomEncoder(Shape shape, long seed) {
        this.shape = shape;
        this.random = new Random(seed);
    }

    /** Writes the model to {@code file}; the same shape and seed give the same file. */
    public static void write(Shape shape, long seed, Path file) throws IOException {
        ModelProto model = new RandomEncoder(shape, seed).build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    private ModelProto build() {
        int h = shape.hidden();
        int headWidth = h / shape.heads();
        graph.addInput(tensorInfo("input_ids", TensorProto.DataType.INT64, "batch", "sequence"))
                .addInput(tensorInfo("attention_mask", TensorProto.DataType.INT64, "batch", "sequence"))
                .addInput(tensorInfo("token_type_ids", TensorProto.DataType.INT64, "batch", "sequence"))
                .addOutput(shape.labels() < 0
                        ? tensorInfo(TOKEN_STATES_OUTPUT, TensorProto.DataType.FLOAT, "batch", "sequence", shape.hidden())
                        : shape.labels() == 0
                        ? tensorInfo(EMBEDDING_OUTPUT, TensorProto.DataType.FLOAT, "batch", shape.hidden())
                        : tensorInfo("logits", TensorProto.DataType.FLOAT, "batch", shape.labels()));
        longConstant("zero", new long[0], 0L);
        longConstant("one", new long[0], 1L);
        longConstant("mask_axes", new long[] {2}, 1L, 2L);
        longConstant("split_heads", new long[] {4}, 0L, 0L, shape.heads(), headWidth);
        longConstant("join_heads", new long[] {3}, 0L, 0L, h);
        floatConstant("one_f", 1f);
        floatConstant("mask_bias", MASK_BIAS);
        floatConstant("attention_scale", (float) (1 / Math.sqrt(headWidth)));
        floatConstant("sqrt2", (float) Math.sqrt(2));
        floatConstant("half", 0.5f);

        // Embeddings: word + position + token type, then layer norm.
        weight("embeddings.word_embeddings.weight", 0.5f, shape.vocabulary(), h);
        weight("embeddings.position_embeddings.weight", 0.5f, shape.positions(), h);
        weight("embeddings.token_type_embeddings.weight", 0.5f, 2, h);
        node("Gather", List.of("embeddings.word_embeddings.weight", "input_ids"), "words");
        node("Shape", List.of("input_ids"), "ids_shape");
        node("Gather", List.of("ids_shape", "one"), "sequence_length");
        node("Range", List.of("zero", "sequence_length", "one"), "position_ids");
        node("Gather", List.of("embeddings.position_embeddings.weight", "position_ids"), "positions");
        node("Gather", List.of("embeddings.token_type_embeddings.weight", "token_type_ids"), "token_types");
        node("Add", List.of("words", "positions"), "words_positions");
        node("Add", List.of("words_positions", "token_types"), "embedded");
        String x = layerNorm("embeddings.LayerNorm", "embedded");

        // The mask as an additive bias on attention logits: [batch, 1, 1, sequence].
        node("Cast", List.of("attention_mask"), "mask_float", intAttribute("to", TensorProto.DataType.FLOAT.getNumber()));
        node("Sub", List.of("one_f", "mask_float"), "masked");
        node("Mul", List.of("masked", "mask_bias"), "mask_logits");
        node("Unsqueeze", List.of("mask_logits", "mask_axes"), "attention_bias");

        for (int l = 0; l < shape.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            String q = heads(linear(p + "attention.self.query", x, h, h), p + "q", 0, 2, 1, 3);
            String k = heads(linear(p + "attention.self.key", x, h, h), p + "k", 0, 2, 3, 1);
            String v = heads(linear(p + "attention.self.value", x, h, h), p + "v", 0, 2, 1, 3);
            node("MatMul", List.of(q, k), p + "scores");
            node("Mul", List.of(p + "scores", "attention_scale"), p + "scaled");
            node("Add", List.of(p + "scaled", "attention_bias"), p + "biased");
            node("Softmax", List.of(p + "biased"), p + "probs", intAttribute("axis", -1));
            node("MatMul", List.of(p + "probs", v), p + "context_heads");
            node("Transpose", List.of(p + "context_heads"), p + "context_t", intsAttribute("perm", 0, 2, 1, 3));
            node("Reshape", List.of(p + "context_t", "join_heads"), p + "context");
            String attended = linear(p + "attention.output.dense", p + "context", h, h);
            node("Add", List.of(x, attended), p + "attention_residual");
            String x1 = layerNorm(p + "attention.output.LayerNorm", p + "attention_residual");
            String inner = linear(p + "intermediate.dense", x1, h, shape.inner());
            // GELU, exact: x * 0.5 * (1 + erf(x / sqrt 2)).
            node("Div", List.of(inner, "sqrt2"), p + "gelu_scaled");
            node("Erf", List.of(p + "gelu_scaled"), p + "gelu_erf");
            node("Add", List.of(p + "gelu_erf", "one_f"), p + "gelu_sum");
            node("Mul", List.of(inner, p + "gelu_sum"), p + "gelu_product");
            node("Mul", List.of(p + "gelu_product", "half"), p + "gelu");
            String out = linear(p + "output.dense", p + "gelu", shape.inner(), h);
            node("Add", List.of(x1, out), p + "output_residual");
            x = layerNorm(p + "output.LayerNorm", p + "output_residual");
        }

        if (shape.labels() < 0) {
            node("Identity", List.of(x), TOKEN_STATES_OUTPUT);
            return model();
        }
        // Pooler over the first token, then the classifier.
        node("Gather", List.of(x, "zero"), "first_token", intAttribute("axis", 1));
        String pooled = linear("pooler.dense", "first_token", h, h);
        node("Tanh", List.of(pooled), shape.labels() == 0 ? EMBEDDING_OUTPUT : "pooled");
        if (shape.labels() == 0) {
            return model();
        }
        weight("classifier.weight", 1f, h, shape.labels());
        weight("classifier.bias", 1f, shape.labels());
        node("MatMul", List.of("pooled", "classifier.weight"), "classifier_product");
        node("Add", List.of("classifier_product", "classifier.bias"), "logits");
        return model();
    }

    private ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("recurate")
                .setDocString("BERT-shaped sequence classifier with random weights (recurate's RandomEncoder)")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }

    /** x W + b, W [in, out] (the transpose of torch's Linear weight, as exports fold it). */
    private String linear(String name, String input, int in, int out) {
        weight(name + ".weight", (float) (1 / Math.sqrt(in)), in, out);
        weight(name + ".bias", 0.1f, out);
        node("MatMul", List.of(input, name + ".weight"), name + ".product");
        node("Add", List.of(name + ".product", name + ".bias"), name + ".out");
        return name + ".out";
    }

    private String heads(String input, String name, long... perm) {
        node("Reshape", List.of(input, "split_heads"), name + "_split");
        node("Transpose", List.of(name + "_split"), name + "_heads", intsAttribute("perm", perm));
        return name + "_heads";
    }

    private String layerNorm(String name, String input) {
        float[] gamma = new float[shape.hidden()];
        float[] beta = new float[shape.hidden()];
        for (int i = 0; i < gamma.length; i++) {
            gamma[i] = 1 + 0.1f * (float) random.nextGaussian();
            beta[i] = 0.1f * (float) random.nextGaussian();
        }
        graph.addInitializer(floatTensor(name + ".weight", gamma, shape.hidden()));
        graph.addInitializer(floatTensor(name + ".bias", beta, shape.hidden()));
        node("LayerNormalization", List.of(input, name + ".weight", name + ".bias"), name + ".out",
                intAttribute("axis", -1), AttributeProto.newBuilder().setName("epsilon")
                        .setType(AttributeProto.AttributeType.FLOAT).setF(LAYER_NORM_EPSILON).build());
        return name + ".out";
    }

    private void weight(String name, float scale, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = scale * (float) random.nextGaussian();
        }
        graph.addInitializer(floatTensor(name, values, dims));
    }

    private void node(String op, List<String> inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(op + "_" + output).addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto a : attributes) {
            node.addAttribute(a);
        }
        graph.addNode(node);
    }

    private void longConstant(String name, long[] dims, long... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
    }

    private void floatConstant(String name, float value) {
        graph.addInitializer(floatTensor(name, new float[] {value}));
    }


    /** @param dims named (String) or fixed (Integer) dimensions after the first, named one */
    private static ValueInfoProto tensorInfo(String name, TensorProto.DataType type, String dim0, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(dim0));
        for (Object dim : dims) {
            s.addDim(dim instanceof Integer n ? TensorShapeProto.Dimension.newBuilder().setDimValue(n)
                    : TensorShapeProto.Dimension.newBuilder().setDimParam((String) dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))).build();
    }


    private static AttributeProto intsAttribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }
}
