package io.recurate.model.transformer;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.math3.special.Erf;

/**
 * The Java reference of {@link RandomEncoder}'s graph, in double precision, with the weights read back from the
 * ONNX file: what ONNX Runtime must compute, written out loop by loop from BERT's definition.
 */
final class BertReference {
    private final Map<String, float[]> w = new HashMap<>();
    private final RandomEncoder.Shape shape;

    BertReference(Path model, RandomEncoder.Shape shape) throws IOException {
        this.shape = shape;
        try (InputStream in = Files.newInputStream(model)) {
            for (TensorProto t : ModelProto.parseFrom(in).getGraph().getInitializerList()) {
                if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber() && !t.getRawData().isEmpty()) {
                    FloatBuffer floats = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                    float[] values = new float[floats.remaining()];
                    floats.get(values);
                    w.put(t.getName(), values);
                }
            }
        }
    }

    /** Logits of one document given its token ids (no padding: the mask is all ones). */
    double[] logits(long[] ids) {
        double[] pooled = embedding(ids);
        int h = shape.hidden();
        double[] logits = new double[shape.labels()];
        for (int c = 0; c < logits.length; c++) {
            logits[c] = w.get("classifier.bias")[c];
            for (int i = 0; i < h; i++) {
                logits[c] += pooled[i] * w.get("classifier.weight")[i * logits.length + c];
            }
        }
        return logits;
    }

    /** The tanh-pooled first token: an encoder's embedding (labels 0), a classifier's input to its last layer. */
    double[] embedding(long[] ids) {
        double[][] x = tokenStates(ids);
        int h = shape.hidden();
        double[] pooled = linear(new double[][] {x[0]}, "pooler.dense", h)[0];
        for (int i = 0; i < h; i++) {
            pooled[i] = Math.tanh(pooled[i]);
        }
        return pooled;
    }

    /** The last layer's state of every token ([tokens][hidden]): what an encoder written with labels -1 outputs. */
    double[][] tokenStates(long[] ids) {
        int n = ids.length;
        int h = shape.hidden();
        double[][] x = new double[n][h];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < h; i++) {
                x[t][i] = w.get("embeddings.word_embeddings.weight")[(int) ids[t] * h + i]
                        + w.get("embeddings.position_embeddings.weight")[t * h + i]
                        + w.get("embeddings.token_type_embeddings.weight")[i];
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        int heads = shape.heads();
        int d = h / heads;
        for (int l = 0; l < shape.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            double[][] q = linear(x, p + "attention.self.query", h);
            double[][] k = linear(x, p + "attention.self.key", h);
            double[][] v = linear(x, p + "attention.self.value", h);
            double[][] context = new double[n][h];
            for (int head = 0; head < heads; head++) {
                for (int a = 0; a < n; a++) {
                    double[] scores = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int b = 0; b < n; b++) {
                        double s = 0;
                        for (int j = 0; j < d; j++) {
                            s += q[a][head * d + j] * k[b][head * d + j];
                        }
                        scores[b] = s / Math.sqrt(d);
                        max = Math.max(max, scores[b]);
                    }
                    double sum = 0;
                    for (int b = 0; b < n; b++) {
                        scores[b] = Math.exp(scores[b] - max);
                        sum += scores[b];
                    }
                    for (int b = 0; b < n; b++) {
                        for (int j = 0; j < d; j++) {
                            context[a][head * d + j] += scores[b] / sum * v[b][head * d + j];
                        }
                    }
                }
            }
            double[][] attended = linear(context, p + "attention.output.dense", h);
            double[][] x1 = layerNorm(add(x, attended), p + "attention.output.LayerNorm");
            double[][] inner = linear(x1, p + "intermediate.dense", shape.inner());
            for (double[] row : inner) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = 0.5 * row[i] * (1 + Erf.erf(row[i] / Math.sqrt(2)));
                }
            }
            x = layerNorm(add(x1, linear(inner, p + "output.dense", h)), p + "output.LayerNorm");
        }
        return x;
    }

    double violatingProbability(long[] ids, int label) {
        double[] z = logits(ids);
        double max = Math.max(z[0], z[1]);
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        return Math.exp(z[label] - max) / sum;
    }

    private double[][] linear(double[][] x, String name, int out) {
        float[] weight = w.get(name + ".weight");
        float[] bias = w.get(name + ".bias");
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * weight[i * out + o];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] gamma = w.get(name + ".weight");
        float[] beta = w.get(name + ".bias");
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + RandomEncoder.LAYER_NORM_EPSILON) * gamma[i] + beta[i];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int t = 0; t < a.length; t++) {
            for (int i = 0; i < a[0].length; i++) {
                y[t][i] = a[t][i] + b[t][i];
            }
        }
        return y;
    }
}
