package io.recurate.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.recurate.corpus.BadInput;
import io.recurate.corpus.JsonlRecords;
import io.recurate.corpus.ReadOptions;
import java.io.Closeable;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code {"text": ..., "label": "acceptable"|"violating", "weight": w}} records from a JSONL
 * file, plain, gzip or zstd, through the corpus reader's {@link JsonlRecords}. A bad line (not JSON,
 * no text, unknown label, invalid UTF-8, too long) is either skipped, counted by cause and logged with
 * file and line, or stops the read, as the caller chose.
 */
public final class JsonlReader implements Iterator<LabelledText>, Closeable {
    private static final Logger log = LoggerFactory.getLogger(JsonlReader.class);
    private static final int MAX_LOGGED = 20;

    /** What to do with a bad line. */
    public enum OnError { SKIP, FAIL }

    private final Path file;
    private final JsonlRecords records;
    private final OnError onError;
    private final boolean labelsRequired;
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private LabelledText next;

    private JsonlReader(Path file, OnError onError, boolean labelsRequired) {
        this.file = file;
        this.onError = onError;
        this.labelsRequired = labelsRequired;
        this.records = JsonlRecords.open(file, ReadOptions.DEFAULT_MAX_DOCUMENT_BYTES, bytes -> { },
                b -> bad(b.cause().label(), b.where().line(), b.message()));
    }

    /**
     * @param labelsRequired when true a record without a label is a bad line; when false the
     *                       label is optional (scoring)
     */
    public static JsonlReader open(Path file, OnError onError, boolean labelsRequired) {
        return new JsonlReader(file, onError, labelsRequired);
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (!records.next()) {
                return false;
            }
            next = parse(records.node(), records.position().line()).orElse(null); // a skipped bad line: read on
        }
        return true;
    }

    @Override
    public LabelledText next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        LabelledText out = next;
        next = null;
        return out;
    }

    /** The record of a line, or empty when the line is bad and skipped. */
    private Optional<LabelledText> parse(JsonNode node, long line) {
        JsonNode textNode = node.get("text");
        if (textNode == null || !textNode.isTextual()) {
            return bad("missing text", line, textNode == null ? "no field 'text'"
                    : "field 'text' is " + (textNode.isNull() ? "null" : "not a string"));
        }
        Boolean violating = null;
        JsonNode labelNode = node.get("label");
        if (labelNode != null && !labelNode.isNull()) {
            try {
                violating = Label.isViolating(labelNode.asText());
            } catch (IllegalArgumentException e) {
                return bad("unknown label", line, e.getMessage());
            }
        } else if (labelsRequired) {
            return bad("missing label", line, "no field 'label'");
        }
        float weight = 1f;
        JsonNode weightNode = node.get("weight");
        if (weightNode != null && !weightNode.isNull()) {
            weight = (float) weightNode.asDouble(Double.NaN);
            if (!(weight > 0) || Float.isInfinite(weight)) {
                return bad("bad weight", line, "weight must be a positive number, got " + weightNode);
            }
        }
        JsonNode id = node.get("id");
        return Optional.of(new LabelledText(id != null && !id.isNull() ? id.asText()
                : file.getFileName() + ":" + line, textNode.asText(), violating, weight, line));
    }

    /** Fails under {@link OnError#FAIL}; else counts and logs the bad line and skips it. */
    private Optional<LabelledText> bad(String cause, long line, String message) {
        String where = file + (line > 0 ? ", line " + line : "") + ": " + cause + ": " + message;
        if (onError == OnError.FAIL) {
            throw new BadInputException(where);
        }
        skipped.merge(cause, 1L, Long::sum);
        long total = skipped.values().stream().mapToLong(Long::longValue).sum();
        if (total <= MAX_LOGGED) {
            log.warn("Skipping {}{}", where, total == MAX_LOGGED ? " (further bad lines are counted, not logged)" : "");
        }
        return Optional.empty();
    }

    /** Bad lines skipped so far, by cause. */
    public Map<String, Long> skipped() {
        return Map.copyOf(skipped);
    }

    public long linesRead() {
        return records.linesRead();
    }

    @Override
    public void close() {
        records.close();
    }

    /** A bad input line under {@link OnError#FAIL}; the message names the file and line. */
    public static final class BadInputException extends RuntimeException {
        public BadInputException(String message) {
            super(message);
        }
    }
}
