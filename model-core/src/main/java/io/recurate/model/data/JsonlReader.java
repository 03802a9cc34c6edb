package io.recurate.model.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code {"text": ..., "label": "acceptable"|"violating", "weight": w}} records from a JSONL
 * file, plain or gzipped. A bad line (not JSON, no text, unknown label, invalid UTF-8) is either
 * skipped, counted by cause and logged with file and line, or stops the read, as the caller chose.
 */
public final class JsonlReader implements Iterator<LabelledText>, Closeable {
    private static final Logger log = LoggerFactory.getLogger(JsonlReader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LOGGED = 20;

    /** What to do with a bad line. */
    public enum OnError { SKIP, FAIL }

    private final Path file;
    private final BufferedReader reader;
    private final OnError onError;
    private final boolean labelsRequired;
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private long line;
    private long bytesRead;
    private LabelledText next;

    private JsonlReader(Path file, BufferedReader reader, OnError onError, boolean labelsRequired) {
        this.file = file;
        this.reader = reader;
        this.onError = onError;
        this.labelsRequired = labelsRequired;
    }

    /**
     * @param labelsRequired when true a record without a label is a bad line; when false the
     *                       label is optional (scoring)
     */
    public static JsonlReader open(Path file, OnError onError, boolean labelsRequired) {
        try {
            InputStream in = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            return new JsonlReader(file, new BufferedReader(new InputStreamReader(in, decoder), 1 << 16), onError,
                    labelsRequired);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            String text;
            try {
                text = reader.readLine();
            } catch (java.nio.charset.CharacterCodingException e) {
                // The decoder cannot resynchronise inside a line reader: report and stop here.
                bad("invalid UTF-8", "invalid UTF-8 after line " + line);
                return false;
            } catch (IOException e) {
                bad("unreadable", "read error after line " + line + ": " + e.getMessage());
                return false;
            }
            if (text == null) {
                return false;
            }
            line++;
            bytesRead += text.length() + 1;
            if (text.isBlank()) {
                continue;
            }
            next = parse(text).orElse(null); // a skipped bad line leaves next empty: read on
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
    private java.util.Optional<LabelledText> parse(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return bad("malformed JSON", "line " + line + " is not JSON: " + e.getOriginalMessage());
        }
        JsonNode textNode = node.get("text");
        if (textNode == null || !textNode.isTextual()) {
            return bad("missing text", "line " + line + " has no string field 'text'");
        }
        Boolean violating = null;
        JsonNode labelNode = node.get("label");
        if (labelNode != null && !labelNode.isNull()) {
            try {
                violating = Label.isViolating(labelNode.asText());
            } catch (IllegalArgumentException e) {
                return bad("unknown label", "line " + line + ": " + e.getMessage());
            }
        } else if (labelsRequired) {
            return bad("missing label", "line " + line + " has no field 'label'");
        }
        float weight = 1f;
        JsonNode weightNode = node.get("weight");
        if (weightNode != null && !weightNode.isNull()) {
            weight = (float) weightNode.asDouble(Double.NaN);
            if (!(weight > 0) || Float.isInfinite(weight)) {
                return bad("bad weight", "line " + line + ": weight must be a positive number, got " + weightNode);
            }
        }
        JsonNode id = node.get("id");
        return java.util.Optional.of(new LabelledText(id != null && !id.isNull() ? id.asText()
                : file.getFileName() + ":" + line, textNode.asText(), violating, weight, line));
    }

    /** Fails under {@link OnError#FAIL}; else counts and logs the bad line and skips it. */
    private java.util.Optional<LabelledText> bad(String cause, String message) {
        String where = file + ": " + message;
        if (onError == OnError.FAIL) {
            throw new BadInputException(where);
        }
        skipped.merge(cause, 1L, Long::sum);
        long total = skipped.values().stream().mapToLong(Long::longValue).sum();
        if (total <= MAX_LOGGED) {
            log.warn("Skipping {}{}", where, total == MAX_LOGGED ? " (further bad lines are counted, not logged)" : "");
        }
        return java.util.Optional.empty();
    }

    /** Bad lines skipped so far, by cause. */
    public Map<String, Long> skipped() {
        return Map.copyOf(skipped);
    }

    public long linesRead() {
        return line;
    }

    /** Characters read so far (a progress measure for uncompressed size). */
    public long charsRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bad input line under {@link OnError#FAIL}; the message names the file and line. */
    public static final class BadInputException extends RuntimeException {
        public BadInputException(String message) {
            super(message);
        }
    }
}
