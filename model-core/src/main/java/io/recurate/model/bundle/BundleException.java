package io.recurate.model.bundle;

/** A model bundle that cannot be written, or must not be served; the message says which file and why. */
public class BundleException extends RuntimeException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
