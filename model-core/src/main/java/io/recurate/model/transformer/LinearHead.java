package io.recurate.model.transformer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The head of an embedding-head bundle ({@code head.json}): a logistic regression on the encoder's embedding.
 *
 * @param weights one per embedding dimension
 * @param bias    added to the dot product
 */
public record LinearHead(float[] weights, float bias) {
    public static final String FILE = "head.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The violating logit of an embedding, summed in double. */
    public double logit(float[] embedding) {
        double z = bias;
        for (int i = 0; i < weights.length; i++) {
            z += (double) weights[i] * embedding[i];
        }
        return z;
    }

    public float score(float[] embedding) {
        return (float) (1 / (1 + Math.exp(-logit(embedding))));
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static LinearHead read(Path file, int dimension) {
        LinearHead head;
        try {
            head = JSON.readValue(file.toFile(), LinearHead.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Unreadable head " + file + ": " + e.getMessage(), e);
        }
        if (head.weights() == null || head.weights().length != dimension) {
            throw new IllegalArgumentException("Head " + file + " has " + (head.weights() == null ? 0 : head.weights().length)
                    + " weights but the encoder's embedding has " + dimension + " dimensions");
        }
        return head;
    }
}
