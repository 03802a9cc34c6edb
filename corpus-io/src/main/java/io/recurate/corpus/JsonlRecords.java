package io.recurate.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * The JSON objects of a JSONL file (plain, gzip or zstd), one per line, pulled one at a time. Every
 * line that is not one (too long, invalid UTF-8, not JSON, not an object, a broken compressed stream)
 * goes to {@code bad} with its file and line and is skipped; blank lines are no record. The one JSONL
 * decoder of the project: corpus publishing and labelled training data both read through it.
 */
public final class JsonlRecords implements Closeable {
    private final Path file;
    private final CorpusFormat format;
    private final long maxLineBytes;
    private final Consumer<BadInput> bad;
    private final ObjectMapper json;
    private final LineReader lines;
    private final CharsetDecoder validator = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer scratch = CharBuffer.allocate(1 << 12);
    private long line;
    private boolean ended;
    private JsonNode node;

    private JsonlRecords(Path file, CorpusFormat format, long maxLineBytes, LongConsumer progress, Consumer<BadInput> bad)
            throws IOException {
        this.file = file;
        this.format = format;
        this.maxLineBytes = maxLineBytes;
        this.bad = bad;
        this.json = mapperFor(maxLineBytes);
        this.lines = new LineReader(open(file, format, progress), maxLineBytes);
    }

    /**
     * @param maxLineBytes a longer line is reported as too large (and never held in memory)
     * @param progress     told the compressed bytes read so far, for progress bars
     * @throws UncheckedIOException when the file cannot be opened
     */
    public static JsonlRecords open(Path file, long maxLineBytes, LongConsumer progress, Consumer<BadInput> bad) {
        CorpusFormat format = CorpusFormat.of(file).filter(f -> f != CorpusFormat.PARQUET).orElseThrow(() ->
                new IllegalArgumentException("Not a JSONL file: " + file + " (expected .jsonl, .jsonl.gz or .jsonl.zst)"));
        try {
            return new JsonlRecords(file, format, maxLineBytes, progress, bad);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Jackson refuses strings over 20 M characters by default; a line within our limit must parse. */
    private static ObjectMapper mapperFor(long maxLineBytes) {
        int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxLineBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN));
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxString).build()).build();
        return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Moves to the next good record; false at the end of the file (or where it breaks off). */
    public boolean next() {
        node = null;
        while (!ended) {
            try {
                if (!lines.next()) {
                    ended = true;
                    return false;
                }
            } catch (IOException e) {
                // A truncated or damaged compressed stream: the lines before it were read and stay read.
                ended = true;
                bad.accept(new BadInput(BadInput.Cause.TRUNCATED_FILE, Position.line(file, line + 1),
                        "the " + (format == CorpusFormat.JSONL ? "file" : "compressed stream") + " ends or breaks inside line "
                                + (line + 1) + " (" + e.getMessage() + "); the " + line + " lines before it were read"));
                return false;
            }
            line++;
            if (lines.tooLong()) {
                bad.accept(new BadInput(BadInput.Cause.TOO_LARGE, position(),
                        ReadOptions.overLimit(lines.fullLength(), maxLineBytes)));
                continue;
            }
            if (lines.length() == 0 || !isValidUtf8()) {
                continue; // a blank line is no record
            }
            JsonNode parsed;
            try {
                parsed = json.readTree(lines.bytes(), 0, lines.length());
            } catch (JsonProcessingException e) {
                bad.accept(new BadInput(BadInput.Cause.MALFORMED_JSON, position(), plain(e.getOriginalMessage())));
                continue;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (parsed == null || parsed.isMissingNode()) {
                continue; // only whitespace
            }
            if (!parsed.isObject()) {
                bad.accept(new BadInput(BadInput.Cause.MALFORMED_JSON, position(), "expected a JSON object, found "
                        + parsed.getNodeType().name().toLowerCase(Locale.ROOT)));
                continue;
            }
            node = parsed;
            return true;
        }
        return false;
    }

    private static final java.util.regex.Pattern LOCATION =
            java.util.regex.Pattern.compile("\\[Source: [^\\]]*?; line: \\d+, column: (\\d+)\\]");

    /** Jackson's message without its "[Source: REDACTED (...); line: 1, column: 9]" locations: the column is what helps. */
    static String plain(String message) {
        return message == null ? "malformed JSON" : LOCATION.matcher(message).replaceAll("column $1").strip();
    }

    /** The current record. */
    public JsonNode node() {
        return node;
    }

    /** The current line's size in UTF-8 bytes. */
    public long bytes() {
        return lines.length();
    }

    public Position position() {
        return Position.line(file, line);
    }

    /** Lines read so far, good or bad. */
    public long linesRead() {
        return line;
    }

    private boolean isValidUtf8() {
        int length = lines.length();
        if (scratch.capacity() < length) {
            scratch = CharBuffer.allocate(Math.max(length, scratch.capacity() * 2));
        }
        scratch.clear();
        validator.reset();
        ByteBuffer in = ByteBuffer.wrap(lines.bytes(), 0, length);
        CoderResult result = validator.decode(in, scratch, true);
        if (result.isError()) {
            bad.accept(new BadInput(BadInput.Cause.INVALID_UTF8, position(), "invalid UTF-8 byte sequence at byte " + in.position()));
            return false;
        }
        return true;
    }

    private static InputStream open(Path file, CorpusFormat format, LongConsumer progress) throws IOException {
        InputStream raw = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), progress);
        return switch (format) {
            case JSONL_GZ -> new ReadAheadInputStream(new GZIPInputStream(raw, 1 << 16), file.getFileName().toString());
            case JSONL_ZST -> new ReadAheadInputStream(new ZstdInputStream(raw), file.getFileName().toString());
            default -> raw;
        };
    }

    @Override
    public void close() {
        try {
            lines.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
