package io.recurate.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReadersTest {
    @TempDir
    Path dir;

    private final List<SourceDocument> docs = new ArrayList<>();
    private final List<BadInput> bad = new ArrayList<>();

    private static final String GOOD = """
            {"id": "a", "text": "first document", "url": "http://x/a", "lang": "en", "score": 0.9}
            {"text": "no id here", "meta": {"k": [1, 2]}}
            {"id": 7, "text": "numeric id", "metadata": {"label": "violating"}}
            """;

    @Test
    void readsPlainGzipAndZstdJsonlTheSame() throws IOException {
        Path plain = write("c.jsonl", GOOD.getBytes(StandardCharsets.UTF_8));
        Path gz = write("c.jsonl.gz", gzip(GOOD.getBytes(StandardCharsets.UTF_8)));
        Path zst = write("c.jsonl.zst", zstd(GOOD.getBytes(StandardCharsets.UTF_8)));
        for (Path file : List.of(plain, gz, zst)) {
            docs.clear();
            read(file, ReadOptions.defaults());
            assertThat(bad).isEmpty();
            assertThat(docs).extracting(SourceDocument::id).containsExactly("a", null, "7");
            assertThat(docs.get(0).url()).isEqualTo("http://x/a");
            assertThat(docs.get(0).metadata()).containsExactly(Map.entry("lang", "en"), Map.entry("score", "0.9"));
            assertThat(docs.get(1).metadata()).containsExactly(Map.entry("meta", "{\"k\":[1,2]}"));
            assertThat(docs.get(2).metadata()).containsExactly(Map.entry("label", "violating"));
            assertThat(docs.get(2).position()).isEqualTo(Position.line(file, 3));
        }
    }

    @Test
    void fieldMappingPicksOtherFields() throws IOException {
        Path file = write("m.jsonl", "{\"doc_id\": \"x1\", \"content\": \"hello\", \"text\": \"kept as metadata\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        read(file, new ReadOptions(new FieldMapping("doc_id", "content", "url"), 1000, n -> { }));
        assertThat(docs).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo("x1");
            assertThat(d.text()).isEqualTo("hello");
            assertThat(d.metadata()).containsEntry("text", "kept as metadata");
        });
    }

    @Test
    void everyBadLineIsReportedWithItsLineAndTheGoodOnesAreRead() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        line(out, "{\"id\": \"1\", \"text\": \"good one\"}");
        line(out, "{\"id\": \"2\", \"text\": \"broken"); // malformed
        line(out, "{\"id\": \"3\", \"body\": \"no text field\"}");
        out.write("{\"id\": \"4\", \"text\": \"bad \u00ff".getBytes(StandardCharsets.ISO_8859_1)); // invalid UTF-8
        line(out, "\"}");
        line(out, "{\"id\": \"5\", \"text\": \"   \"}"); // empty
        line(out, "{\"id\": \"6\", \"text\": \"" + "x".repeat(2000) + "\"}"); // too large for the 1 kB limit below
        line(out, "[1, 2]"); // not an object
        line(out, "");       // blank lines are no documents and no errors
        line(out, "{\"id\": \"9\", \"text\": \"good two\"}");
        Path file = write("bad.jsonl", out.toByteArray());
        read(file, new ReadOptions(FieldMapping.defaults(), 1000, n -> { }));
        assertThat(docs).extracting(SourceDocument::id).containsExactly("1", "9");
        assertThat(bad).extracting(BadInput::cause).containsExactly(BadInput.Cause.MALFORMED_JSON,
                BadInput.Cause.MISSING_TEXT, BadInput.Cause.INVALID_UTF8, BadInput.Cause.EMPTY_TEXT,
                BadInput.Cause.TOO_LARGE, BadInput.Cause.MALFORMED_JSON);
        assertThat(bad).extracting(b -> b.where().line()).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(bad.get(2).toString()).startsWith(file + ":4: invalid UTF-8").contains("at byte 25");
        assertThat(bad.get(4).message()).contains("over the limit");
    }

    @Test
    void aFiftyMegabyteLineIsSkippedWithoutHoldingItAndTheNextLineIsRead() throws IOException {
        Path file = dir.resolve("huge.jsonl");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("{\"id\": \"big\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write("\"}\n{\"id\": \"small\", \"text\": \"fine\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        read(file, ReadOptions.defaults());
        assertThat(docs).extracting(SourceDocument::id).containsExactly("small");
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.cause()).isEqualTo(BadInput.Cause.TOO_LARGE);
            assertThat(b.toString()).contains("huge.jsonl:1").contains("52.4 MB is over the limit of 16.0 MB");
        });
    }

    /** Issue 32: "60.0 MB is over the limit of 60.0 MB"; and publish and run --corpus had two limits. */
    @Test
    void oneSizeRuleWhoseMessageTellsTheTwoNumbersApart() {
        assertThat(ReadOptions.DEFAULT_MAX_DOCUMENT_BYTES).isEqualTo(16_000_000L);
        assertThat(ReadOptions.maxDocumentBytes(60)).isEqualTo(60_000_000L);
        assertThat(ReadOptions.overLimit(60_000_123, 60_000_000))
                .isEqualTo("60,000,123 bytes is over the limit of 60,000,000 bytes (--max-doc-mb)");
        assertThat(ReadOptions.overLimit(16_500_000, 16_000_000)).isEqualTo("16.5 MB is over the limit of 16.0 MB (--max-doc-mb)");
        for (double wrong : new double[] {0, -1, 60.5, Double.NaN}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReadOptions.maxDocumentBytes(wrong))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--max-doc-mb must be more than 0");
        }
    }

    @Test
    void aDocumentOverJacksonsDefaultStringLimitIsReadWhenTheLimitAllowsIt() throws IOException {
        // Jackson refuses strings over 20,000,000 characters unless told otherwise; --max-doc-mb 60 must mean 60 MB.
        Path file = dir.resolve("long.jsonl");
        int length = 21_000_000;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("{\"id\": \"long\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = new byte[1_000_000];
            Arrays.fill(chunk, (byte) 'b');
            for (int i = 0; i < length / chunk.length; i++) {
                out.write(chunk);
            }
            out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        read(file, new ReadOptions(FieldMapping.defaults(), 60L * 1024 * 1024, bytes -> { }));
        assertThat(bad).isEmpty();
        assertThat(docs).singleElement().satisfies(d -> assertThat(d.text()).hasSize(length));
    }

    @Test
    void aTruncatedGzipKeepsTheLinesBeforeTheBreak() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append("{\"id\": \"d").append(i).append("\", \"text\": \"document number ").append(i).append(" ")
                    .append(Integer.toHexString(i * 7919)).append("\"}\n");
        }
        byte[] whole = gzip(text.toString().getBytes(StandardCharsets.UTF_8));
        Path file = write("cut.jsonl.gz", Arrays.copyOf(whole, whole.length / 2));
        read(file, ReadOptions.defaults());
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.cause()).isEqualTo(BadInput.Cause.TRUNCATED_FILE);
            assertThat(b.message()).contains("lines before it were read");
        });
        assertThat(docs).hasSizeBetween(1000, 4999);
        assertThat(docs.get(docs.size() - 1).id()).isEqualTo("d" + (docs.size() - 1)); // in order, none lost before the break
        assertThat(bad.get(0).where().line()).isEqualTo(docs.size() + 1L);
    }

    @Test
    void aThrowingBadConsumerStopsTheRead() throws IOException {
        Path file = write("f.jsonl", "{\"text\": \"ok\"}\nnot json\n{\"text\": \"after\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> CorpusReaders.read(file, ReadOptions.defaults(), docs::add, b -> {
            throw new BadInputException(b);
        })).isInstanceOf(BadInputException.class).hasMessageContaining("f.jsonl:2: malformed JSON");
        assertThat(docs).hasSize(1);
    }

    @Test
    void parquetRowsAreDocumentsWithRowGroupPositions() throws IOException {
        Schema schema = SchemaBuilder.record("fineweb").fields().requiredString("text").requiredString("id")
                .optionalString("url").requiredLong("token_count").optionalString("dump").endRecord();
        Path folder = dir.resolve("pq");
        List<Shard> shards;
        try (ShardedWriter writer = new ShardedWriter(folder, ShardFormat.PARQUET, schema, Long.MAX_VALUE)) {
            for (int i = 0; i < 300; i++) {
                var r = new GenericData.Record(schema);
                r.put("text", i == 150 ? "" : "parquet text " + i);
                r.put("id", "<urn:uuid:" + i + ">");
                r.put("url", "https://example.org/" + i);
                r.put("token_count", (long) i);
                r.put("dump", i % 2 == 0 ? "CC-MAIN-2024-10" : null);
                writer.write(r);
            }
            shards = writer.finish();
        }
        Path file = folder.resolve(shards.get(0).file());
        read(file, ReadOptions.defaults());
        assertThat(docs).hasSize(299);
        assertThat(docs.get(0).id()).isEqualTo("<urn:uuid:0>");
        assertThat(docs.get(0).url()).isEqualTo("https://example.org/0");
        assertThat(docs.get(0).metadata()).containsExactly(Map.entry("token_count", "0"), Map.entry("dump", "CC-MAIN-2024-10"));
        assertThat(docs.get(1).metadata()).containsOnlyKeys("token_count");
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.cause()).isEqualTo(BadInput.Cause.EMPTY_TEXT);
            assertThat(b.where()).isEqualTo(Position.row(file, 0, 150));
            assertThat(b.toString()).contains("row group 0, row 150");
        });
    }

    @Test
    void aDamagedParquetFileIsReportedNotThrown() throws IOException {
        Schema schema = SchemaBuilder.record("d").fields().requiredString("text").endRecord();
        Path folder = dir.resolve("dmg");
        try (ShardedWriter writer = new ShardedWriter(folder, ShardFormat.PARQUET, schema, Long.MAX_VALUE)) {
            var r = new GenericData.Record(schema);
            r.put("text", "x");
            writer.write(r);
        }
        Path file = folder.resolve("part-00000.parquet");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 20));
        read(file, ReadOptions.defaults());
        assertThat(docs).isEmpty();
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.cause()).isEqualTo(BadInput.Cause.UNREADABLE_FILE);
            assertThat(b.message()).contains("not a Parquet file").contains(file.toString()).doesNotContain("LocalInputFile@");
        });
    }

    @Test
    void aParquetFileWithoutTheTextColumnIsOneErrorNamingItsColumns() throws IOException {
        Schema schema = SchemaBuilder.record("d").fields().requiredString("body").requiredString("id").endRecord();
        Path folder = dir.resolve("notext");
        try (ShardedWriter writer = new ShardedWriter(folder, ShardFormat.PARQUET, schema, Long.MAX_VALUE)) {
            for (int i = 0; i < 50; i++) {
                var r = new GenericData.Record(schema);
                r.put("body", "text " + i);
                r.put("id", "d" + i);
                writer.write(r);
            }
        }
        Path file = folder.resolve("part-00000.parquet");
        read(file, ReadOptions.defaults());
        assertThat(docs).isEmpty();
        assertThat(bad).singleElement().satisfies(b -> {
            assertThat(b.cause()).isEqualTo(BadInput.Cause.MISSING_TEXT);
            assertThat(b.where()).isEqualTo(Position.file(file));
            assertThat(b.message()).contains("no column 'text'").contains("--text-field").contains("body, id");
        });

        // --on-error fail: the consumer throws at the first bad input; it is told once, as what it is (issue 32).
        bad.clear();
        List<BadInput> told = new ArrayList<>();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CorpusReaders.read(file, ReadOptions.defaults(), docs::add,
                b -> {
                    told.add(b);
                    throw new BadInputException(b);
                })).isInstanceOf(BadInputException.class);
        assertThat(told).singleElement().satisfies(b -> assertThat(b.cause()).isEqualTo(BadInput.Cause.MISSING_TEXT));
    }

    @Test
    void aNullTextIsSaidToBeNullAndJacksonsLocationNoiseIsLeftOut() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        line(out, "{\"id\": \"1\", \"text\": null}");
        line(out, "{\"id\": \"2\", \"text\": \"open object\"");
        Path file = write("nulls.jsonl", out.toByteArray());
        read(file, ReadOptions.defaults());
        assertThat(bad).extracting(BadInput::message).satisfiesExactly(
                m -> assertThat(m).isEqualTo("field 'text' is null"),
                m -> assertThat(m).doesNotContain("Source").doesNotContain("REDACTED").contains("column"));
    }

    @Test
    void anEscapedLoneSurrogateIsRefusedNotTurnedIntoAQuestionMark() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        line(out, "{\"id\": \"1\", \"text\": \"half a pair \\ud800 here\"}");
        line(out, "{\"id\": \"2\", \"text\": \"a whole pair \\ud83c\\udf0d is fine\"}");
        line(out, "{\"id\": \"3\", \"text\": \"fine\", \"lang\": \"\\udc00\"}");
        Path file = write("surrogates.jsonl", out.toByteArray());
        read(file, ReadOptions.defaults());
        assertThat(docs).extracting(SourceDocument::id).containsExactly("2");
        assertThat(docs.get(0).text()).isEqualTo("a whole pair \ud83c\udf0d is fine");
        assertThat(bad).extracting(BadInput::cause).containsExactly(BadInput.Cause.INVALID_UTF8, BadInput.Cause.INVALID_UTF8);
        assertThat(bad.get(0).toString()).contains("surrogates.jsonl:1").contains("lone surrogate \\ud800 at character 12");
        assertThat(bad.get(1).message()).contains("field 'lang'");
    }

    @Test
    void exportedJsonlShardsReadBackAsTheSameDocuments() throws IOException {
        Schema schema = SchemaBuilder.record("doc").fields().requiredString("id").requiredString("text")
                .name("metadata").type().map().values().stringType().noDefault()
                .requiredFloat("score").endRecord();
        Path folder = dir.resolve("out");
        List<Shard> shards;
        try (ShardedWriter writer = new ShardedWriter(folder, ShardFormat.JSONL, schema, 2000)) {
            for (int i = 0; i < 100; i++) {
                var r = new GenericData.Record(schema);
                r.put("id", "id-" + i);
                r.put("text", "text \u00e9\u4e2d " + i);
                r.put("metadata", Map.of("label", i % 3 == 0 ? "violating" : "acceptable"));
                r.put("score", 0.1f * (i % 10));
                writer.write(r);
            }
            shards = writer.finish();
        }
        assertThat(shards).hasSizeGreaterThan(2); // 2 kB shards
        assertThat(shards.stream().mapToLong(Shard::rows).sum()).isEqualTo(100);
        for (Shard s : shards) {
            assertThat(s.sha256()).isEqualTo(ShardedWriter.sha256(folder.resolve(s.file())));
            read(folder.resolve(s.file()), ReadOptions.defaults());
        }
        assertThat(bad).isEmpty();
        assertThat(docs).hasSize(100);
        assertThat(docs.get(3).text()).isEqualTo("text \u00e9\u4e2d 3");
        assertThat(docs.get(3).metadata()).containsEntry("label", "violating").containsEntry("score", "0.3");
    }

    @Test
    void filesFoldersAndGlobsExpandInAStableOrder() throws IOException {
        Files.createDirectories(dir.resolve("data/sub"));
        for (String name : List.of("data/b.jsonl", "data/a.jsonl.gz", "data/sub/c.parquet", "data/notes.txt", "data/sub/d.jsonl.zst", "data/manifest.json")) {
            Files.writeString(dir.resolve(name), "");
        }
        String d = dir.resolve("data").toString();
        assertThat(CorpusFiles.expand(List.of(d))).extracting(p -> dir.relativize(p).toString())
                .containsExactly("data/a.jsonl.gz", "data/b.jsonl", "data/sub/c.parquet", "data/sub/d.jsonl.zst");
        assertThat(CorpusFiles.expand(List.of(d + "/**/*.parquet", d + "/*.jsonl"))).extracting(p -> dir.relativize(p).toString())
                .containsExactly("data/sub/c.parquet", "data/b.jsonl");
        assertThat(CorpusFiles.expandListingSkipped(List.of(d)).skipped()).extracting(p -> dir.relativize(p).toString())
                .as("what a folder held that is not read is listed (the export manifest is no corpus file)")
                .containsExactly("data/notes.txt");
        assertThatThrownBy(() -> CorpusFiles.expand(List.of(d + "/*.csv"))).hasMessageContaining("No corpus files");
        assertThatThrownBy(() -> CorpusFiles.expand(List.of(d + "/notes.txt"))).hasMessageContaining("Unknown corpus format");
        assertThatThrownBy(() -> CorpusFiles.expand(List.of(d + "/missing.jsonl"))).hasMessageContaining("No such file");
    }

    private void read(Path file, ReadOptions options) {
        CorpusReaders.read(file, options, docs::add, bad::add);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static void line(ByteArrayOutputStream out, String s) throws IOException {
        out.write((s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] zstd(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZstdOutputStream z = new ZstdOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }
}
