package io.recurate.corpus;

/** A record or a stretch of a file that could not be read as a document, and why. */
public record BadInput(Cause cause, Position where, String message) {

    /** Why; each cause is counted separately in the summary a publish prints. */
    public enum Cause {
        MALFORMED_JSON("malformed JSON"),
        MISSING_TEXT("missing text field"),
        INVALID_UTF8("invalid UTF-8"),
        EMPTY_TEXT("empty text"),
        TOO_LARGE("too large"),
        TRUNCATED_FILE("truncated or corrupt file"),
        UNREADABLE_FILE("unreadable file");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    @Override
    public String toString() {
        return where + ": " + cause.label() + ": " + message;
    }
}
