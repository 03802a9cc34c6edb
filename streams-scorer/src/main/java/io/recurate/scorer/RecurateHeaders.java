package io.recurate.scorer;

/** Record header names recurate adds. */
public final class RecurateHeaders {
    public static final String PASS = "recurate.pass";
    public static final String MODEL_VERSION = "recurate.model.version";
    public static final String DLQ_TOPIC = "recurate.dlq.topic";
    public static final String DLQ_PARTITION = "recurate.dlq.partition";
    public static final String DLQ_OFFSET = "recurate.dlq.offset";
    public static final String DLQ_ERROR_CLASS = "recurate.dlq.error.class";
    public static final String DLQ_ERROR_MESSAGE = "recurate.dlq.error.message";

    private RecurateHeaders() {
    }
}
