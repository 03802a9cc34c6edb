package io.recurate.corpus;

/** Thrown to stop reading at the first bad input ({@code --on-error fail}). */
public final class BadInputException extends RuntimeException {
    private final transient BadInput badInput;

    public BadInputException(BadInput badInput) {
        super(badInput.toString());
        this.badInput = badInput;
    }

    public BadInput badInput() {
        return badInput;
    }
}
