package io.recurate.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
    private static final String GOOD_AND_BAD = String.join("\n",
            "{\"id\":\"a\",\"text\":\"hello\",\"label\":\"acceptable\"}",
            "{not json",
            "{\"text\":\"no label here\"}",
            "{\"id\":\"b\",\"label\":\"violating\"}",
            "{\"text\":\"x\",\"label\":\"spammy\"}",
            "",
            "{\"id\":\"c\",\"text\":\"buy now\",\"label\":\"violating\",\"weight\":3}",
            "{\"text\":\"w\",\"label\":\"violating\",\"weight\":-1}");

    @TempDir
    Path tmp;

    @Test
    void skipsBadLinesCountingThemByCauseAndKeepsEveryGoodOne() throws IOException {
        Path file = tmp.resolve("mixed.jsonl");
        Files.writeString(file, GOOD_AND_BAD);
        List<LabelledText> read = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.SKIP, true)) {
            reader.forEachRemaining(read::add);
            assertThat(reader.skipped()).containsEntry("malformed JSON", 1L).containsEntry("missing label", 1L)
                    .containsEntry("missing text", 1L).containsEntry("unknown label", 1L).containsEntry("bad weight", 1L);
        }
        assertThat(read).extracting(LabelledText::id).containsExactly("a", "c");
        assertThat(read.get(1).violating()).isTrue();
        assertThat(read.get(1).weight()).isEqualTo(3f);
        assertThat(read.get(1).line()).isEqualTo(7);
    }

    @Test
    void failModeStopsAtTheFirstBadLineNamingFileAndLine() throws IOException {
        Path file = tmp.resolve("mixed.jsonl");
        Files.writeString(file, GOOD_AND_BAD);
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.FAIL, true)) {
            assertThat(reader.next().id()).isEqualTo("a");
            assertThatThrownBy(reader::next).isInstanceOf(JsonlReader.BadInputException.class)
                    .hasMessageContaining("mixed.jsonl").hasMessageContaining("line 2");
        }
    }

    @Test
    void unknownLabelNamesTheAllowedOnes() throws IOException {
        Path file = tmp.resolve("constitution.jsonl");
        Files.writeString(file, "{\"text\":\"x\",\"label\":\"bad\"}\n");
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.FAIL, true)) {
            assertThatThrownBy(reader::next).hasMessageContaining("line 1")
                    .hasMessageContaining("'acceptable' or 'violating'");
        }
    }

    @Test
    void readsGzipAndUnlabelledRecordsWhenLabelsAreOptional() throws IOException {
        Path file = tmp.resolve("docs.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("{\"text\":\"one\"}\n{\"text\":\"two\",\"label\":\"violating\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        List<LabelledText> read = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.FAIL, false)) {
            reader.forEachRemaining(read::add);
        }
        assertThat(read).extracting(LabelledText::violating).containsExactly(null, true);
        assertThat(read.get(0).id()).isEqualTo("docs.jsonl.gz:1");
    }

    @Test
    void readsZstdAsTheCorpusReaderDoes() throws IOException {
        // 'model train' reads what 'publish' reads: one JSONL decoder.
        Path file = tmp.resolve("train.jsonl.zst");
        try (OutputStream out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(file))) {
            out.write("{\"text\":\"one\",\"label\":\"acceptable\"}\n{\"text\":null,\"label\":\"violating\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.FAIL, true)) {
            assertThat(reader.next().text()).isEqualTo("one");
            assertThatThrownBy(reader::next).hasMessageContaining("line 2").hasMessageContaining("'text' is null");
        }
    }

    @Test
    void invalidUtf8IsReportedNotMisread() throws IOException {
        Path file = tmp.resolve("latin1.jsonl");
        byte[] good = "{\"text\":\"ok\",\"label\":\"acceptable\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"text\":\"caf\u00e9\",\"label\":\"acceptable\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, concat(good, bad));
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.FAIL, true)) {
            assertThatThrownBy(() -> reader.forEachRemaining(r -> { })).hasMessageContaining("invalid UTF-8");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
