package io.recurate.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/** JSONL, plain, gzip or zstd: one JSON object per line. */
final class JsonlSource {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlSource() {
    }

    static void read(Path file, CorpusFormat format, ReadOptions options, Consumer<SourceDocument> documents,
                     Consumer<BadInput> bad) {
        DocumentMapper mapper = new DocumentMapper(options, bad);
        long line = 0;
        try (LineReader lines = new LineReader(open(file, format, options), options.maxDocumentBytes())) {
            while (true) {
                try {
                    if (!lines.next()) {
                        return;
                    }
                } catch (IOException e) {
                    // A truncated or damaged compressed stream: the lines before it were read and stay published.
                    bad.accept(new BadInput(BadInput.Cause.TRUNCATED_FILE, Position.line(file, line + 1),
                            "the " + (format == CorpusFormat.JSONL ? "file" : "compressed stream") + " ends or breaks inside line "
                                    + (line + 1) + " (" + e.getMessage() + "); the " + line + " lines before it were read"));
                    return;
                }
                line++;
                Position where = Position.line(file, line);
                if (lines.tooLong()) {
                    mapper.tooLarge(lines.fullLength(), where);
                    continue;
                }
                if (lines.length() == 0) {
                    continue; // a blank line is no document
                }
                if (!mapper.isValidUtf8(lines.bytes(), lines.length(), where)) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(lines.bytes(), 0, lines.length());
                } catch (JsonProcessingException e) {
                    bad.accept(new BadInput(BadInput.Cause.MALFORMED_JSON, where, e.getOriginalMessage()));
                    continue;
                }
                if (node == null || node.isMissingNode()) {
                    continue; // only whitespace
                }
                if (!node.isObject()) {
                    bad.accept(new BadInput(BadInput.Cause.MALFORMED_JSON, where, "expected a JSON object, found "
                            + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
                    continue;
                }
                mapper.fromJson(node, where, lines.length()).ifPresent(documents);
            }
        } catch (IOException e) {
            bad.accept(new BadInput(BadInput.Cause.UNREADABLE_FILE, Position.file(file), e.toString()));
        }
    }

    private static InputStream open(Path file, CorpusFormat format, ReadOptions options) throws IOException {
        InputStream raw = new CountingInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), options.progress());
        return switch (format) {
            case JSONL_GZ -> new ReadAheadInputStream(new GZIPInputStream(raw, 1 << 16), file.getFileName().toString());
            case JSONL_ZST -> new ReadAheadInputStream(new ZstdInputStream(raw), file.getFileName().toString());
            default -> raw;
        };
    }
}
