package io.recurate.corpus;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** JSONL, plain, gzip or zstd: one JSON object per line, mapped to documents by the field mapping. */
final class JsonlSource {

    private JsonlSource() {
    }

    static void read(Path file, ReadOptions options, Consumer<SourceDocument> documents, Consumer<BadInput> bad) {
        DocumentMapper mapper = new DocumentMapper(options, bad);
        try (JsonlRecords records = JsonlRecords.open(file, options.maxDocumentBytes(), options.progress(), bad)) {
            while (records.next()) {
                mapper.fromJson(records.node(), records.position(), records.bytes()).ifPresent(documents);
            }
        } catch (UncheckedIOException e) {
            bad.accept(new BadInput(BadInput.Cause.UNREADABLE_FILE, Position.file(file), e.getCause().toString()));
        }
    }
}
