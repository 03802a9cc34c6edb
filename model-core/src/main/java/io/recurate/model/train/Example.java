package io.recurate.model.train;

/**
 * One labelled training text. {@code violating} is the positive class; {@code weight} scales its
 * loss (constitution exemplars weigh more than pass outputs).
 */
public record Example(String text, boolean violating, float weight) {
    public Example {
        if (!(weight > 0) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("Example weight must be a positive number, got " + weight);
        }
    }

    public static Example of(String text, boolean violating) {
        return new Example(text, violating, 1f);
    }
}
