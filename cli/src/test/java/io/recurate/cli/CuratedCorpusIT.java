package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import io.recurate.topics.TopicScan;
import io.recurate.corpus.CorpusReaders;
import io.recurate.corpus.ReadOptions;
import io.recurate.corpus.ShardFormat;
import io.recurate.corpus.ShardedWriter;
import io.recurate.corpus.SourceDocument;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import io.recurate.ledger.NamespaceLease;
import io.recurate.topics.TopicAdmin;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Corpora in (every format, bad input, republish), curated corpus, report and audit out, on 'recurate up'. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CuratedCorpusIT {
    private static final Path CORPUS = MailCorpus.documents(LoopIT.DOCUMENTS);
    private static final Path HOME = Path.of("target", "curated-it-" + System.nanoTime()).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DOCS = 300;
    private static EmbeddedServices.State services;
    private static Path reportDir;
    private static Path auditDir;

    @BeforeAll
    static void startServices() throws IOException {
        Files.createDirectories(HOME);
        assertThat(LoopIT.run("up", "--home", HOME.toString())[0]).isEqualTo("0");
        services = new EmbeddedServices(HOME).running().orElseThrow();
    }

    @AfterAll
    static void stopServices() {
        LoopIT.run("down", "--home", HOME.toString());
    }

    @Test
    @Order(1)
    void everyFormatRoundTripsThroughPublishAndExport() throws IOException {
        Map<String, List<String>> expected = new HashMap<>();
        StringBuilder jsonl = new StringBuilder();
        Schema schema = SchemaBuilder.record("fineweb").fields().requiredString("id").requiredString("text")
                .requiredString("lang").requiredLong("n").endRecord();
        Path parquetDir = HOME.resolve("in-parquet");
        try (ShardedWriter parquet = new ShardedWriter(parquetDir, ShardFormat.PARQUET, schema, Long.MAX_VALUE)) {
            for (int i = 0; i < DOCS; i++) {
                String text = "Document " + i + " — ünïcödé 文字 \"quoted\"\nsecond line " + Integer.toHexString(i * 7919);
                String lang = i % 3 == 0 ? "de" : "en";
                expected.put("doc-" + i, List.of(text, lang, Long.toString(i)));
                jsonl.append(JSON.createObjectNode().put("id", "doc-" + i).put("text", text).put("lang", lang).put("n", i))
                        .append('\n');
                var r = new GenericData.Record(schema);
                r.put("id", "doc-" + i);
                r.put("text", text);
                r.put("lang", lang);
                r.put("n", (long) i);
                parquet.write(r);
            }
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, Path> inputs = Map.of(
                "jsonl", write("in.jsonl", bytes),
                "gz", write("in.jsonl.gz", gzip(bytes)),
                "zst", write("in.jsonl.zst", zstd(bytes)),
                "parquet", parquetDir);
        for (var input : inputs.entrySet()) {
            String ns = "fmt-" + input.getKey();
            String[] published = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", ns, "--no-progress",
                    input.getValue().toString());
            assertThat(published[0]).as(published[2]).isEqualTo("0");
            assertThat(published[1]).contains("Published 300 documents").contains("Skipped: 0");
            for (String format : List.of("jsonl", "parquet")) {
                Path out = HOME.resolve("export-" + ns + "-" + format);
                String[] exported = LoopIT.run("export", "--home", HOME.toString(), "--namespace", ns, "--ingest",
                        "--format", format, "--out", out.toString(), "--shard-mb", "0.01");
                assertThat(exported[0]).as(exported[2]).isEqualTo("0");
                JsonNode manifest = JSON.readTree(out.resolve("ingest/manifest.json").toFile());
                assertThat(manifest.get("shards").size()).as("10 kB shards").isGreaterThan(2);
                Map<String, List<String>> back = new HashMap<>();
                for (SourceDocument d : readShards(out.resolve("ingest"), DOCS)) {
                    back.put(d.id(), List.of(d.text(), d.metadata().get("lang"), d.metadata().get("n")));
                }
                assertThat(back).as("%s published, exported as %s", input.getKey(), format).isEqualTo(expected);
            }
        }
    }

    @Test
    @Order(2)
    void publishingTwiceAddsNothingAndCountsTheDuplicates() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("{\"text\": \"content-hashed document ").append(i).append("\"}\n");
        }
        lines.append("{\"text\": \"content-hashed document 7\"}\n"); // the same text again: the same id
        Path file = write("twice.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8));
        String[] first = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "twice", "--no-progress", file.toString());
        assertThat(first[1]).contains("Published 50 documents").contains("not published again: 1");
        String[] second = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "twice", "--no-progress", file.toString());
        assertThat(second[0]).isEqualTo("0");
        assertThat(second[1]).contains("Published 0 documents").contains("not published again: 51");
        assertThat(ingested("twice")).hasSize(50);

        // An id seen again with another text is not a duplicate: counted apart, warned, the first text kept.
        Path first1 = write("ids-1.jsonl", "{\"id\": \"a\", \"text\": \"first text of a\"}\n{\"id\": \"b\", \"text\": \"b\"}\n{\"id\": \"a\", \"text\": \"another text of a\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        String[] within = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "ids", "--no-progress", first1.toString());
        assertThat(within[1]).contains("Published 2 documents").contains("not published again: 0")
                .contains("Same id as an earlier document but a different text, not published (the first is kept): 1");
        Path again = write("ids-2.jsonl", "{\"id\": \"b\", \"text\": \"b changed\"}\n{\"id\": \"a\", \"text\": \"first text of a\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        String[] across = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "ids", "--no-progress", again.toString());
        assertThat(across[1]).contains("Published 0 documents").contains("not published again: 1")
                .contains("(the first is kept): 1");
        List<String> texts = new ArrayList<>();
        TopicScan.read(kafka(), topics("ids").ingest().name(), topics("ids").ingest().valueSerde().deserializer(),
                (Document d) -> texts.add(d.getId() + "=" + d.getText()));
        assertThat(texts).containsExactlyInAnyOrder("a=first text of a", "b=b");
    }

    /**
     * Issue 32: two runs (or publishes) on one namespace at once doubled the corpus. One writer per namespace: while
     * another process holds the namespace's lease, publish and run are refused at once (exit 75) naming it and publish
     * nothing; two publishers racing publish each document once.
     */
    @Test
    @Order(2)
    void aNamespaceInUseRefusesASecondWriterAtOnceAndRacingPublishersPublishOnce() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            lines.append("{\"id\": \"r").append(i).append("\", \"text\": \"racing document ").append(i).append("\"}\n");
        }
        Path file = write("race.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8));
        TopicPlan busy = new TopicPlan("busy", 6, (short) 1);
        try (TopicAdmin admin = new TopicAdmin(kafka())) {
            admin.ensure(busy.baseTopics());
        }
        try (NamespaceLease held = NamespaceLease.acquire(kafka(), busy, "audit-test")) {
            String[] publish = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "busy", "--no-progress",
                    file.toString());
            assertThat(publish[0]).as(publish[2]).isEqualTo(Integer.toString(Main.EXIT_IN_USE));
            assertThat(publish[2]).contains("Namespace 'busy' is in use by 'audit-test' on")
                    .contains("(pid " + ProcessHandle.current().pid() + ")").contains("since");
            String[] run = LoopIT.run("run", "--home", HOME.toString(), "--namespace", "busy", "--corpus", file.toString(),
                    "--constitution", file.toString(), "--encoder", "none", "--max-passes", "1");
            assertThat(run[0]).as(run[2]).isEqualTo(Integer.toString(Main.EXIT_IN_USE));
            assertThat(ingested("busy")).as("nothing published by the refused writers").isEmpty();
        }
        String[] after = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "busy", "--no-progress",
                file.toString());
        assertThat(after[0]).as("released: the next writer goes on at once. %s", after[2]).isEqualTo("0");
        assertThat(ingested("busy")).hasSize(2_000);

        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "race",
                    "--no-progress", file.toString()));
            var b = pool.submit(() -> LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "race",
                    "--no-progress", file.toString()));
            List<String> codes = List.of(a.get()[0], b.get()[0]);
            assertThat(codes).as("%s / %s", a.get()[2], b.get()[2]).contains("0")
                    .allMatch(c -> c.equals("0") || c.equals(Integer.toString(Main.EXIT_IN_USE)));
        } finally {
            pool.shutdownNow();
        }
        assertThat(ingested("race")).as("each id once").hasSize(2_000);
    }

    @Test
    @Order(3)
    void badInputIsNamedCountedAndSkippedAndTheGoodDataIsPublished() throws IOException {
        Path bad = HOME.resolve("bad.jsonl");
        try (OutputStream out = Files.newOutputStream(bad)) {
            out.write("{\"id\": \"good-1\", \"text\": \"a good document\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"broken\", \"text\": \"no closing\n".getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"no-text\", \"body\": \"wrong field\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"latin1\", \"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"id\": \"empty\", \"text\": \"\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"huge\", \"text\": \"".getBytes(StandardCharsets.UTF_8));
            byte[] mb = new byte[1 << 20];
            Arrays.fill(mb, (byte) 'z');
            for (int i = 0; i < 50; i++) {
                out.write(mb);
            }
            out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"good-2\", \"text\": \"another good document\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            many.append("{\"id\": \"t-").append(i).append("\", \"text\": \"line ").append(i).append(' ')
                    .append(Integer.toHexString(i * 104729)).append("\"}\n");
        }
        byte[] whole = gzip(many.toString().getBytes(StandardCharsets.UTF_8));
        Path truncated = write("cut.jsonl.gz", Arrays.copyOf(whole, whole.length / 2));

        String[] skipped = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "bad", "--no-progress",
                bad.toString(), truncated.toString());
        assertThat(skipped[0]).as(skipped[2]).isEqualTo("0");
        assertThat(skipped[1]).contains("Skipped: 6 (").contains("malformed JSON 1").contains("missing text field 1")
                .contains("invalid UTF-8 1").contains("empty text 1").contains("too large 1").contains("truncated or corrupt file 1");
        Matcher published = Pattern.compile("Published ([\\d,]+) documents").matcher(skipped[1]);
        assertThat(published.find()).isTrue();
        Set<String> ids = ingested("bad");
        assertThat(ids).contains("good-1", "good-2").doesNotContain("broken", "no-text", "latin1", "empty", "huge")
                .hasSize(Integer.parseInt(published.group(1).replace(",", "")));
        long fromTruncated = ids.stream().filter(id -> id.startsWith("t-")).count();
        assertThat(fromTruncated).as("the lines before the break").isBetween(500L, 3999L);
        for (long i = 0; i < fromTruncated; i++) {
            assertThat(ids).contains("t-" + i);
        }

        String[] failed = LoopIT.run("publish", "--home", HOME.toString(), "--namespace", "bad-fail", "--no-progress",
                "--on-error", "fail", bad.toString());
        assertThat(failed[0]).isEqualTo(Integer.toString(PublishCommand.EXIT_BAD_INPUT));
        assertThat(failed[2]).contains(bad + ":2: malformed JSON");
        assertThat(ingested("bad-fail")).containsExactly("good-1");
    }

    @Test
    @Order(4)
    void aTwoPassRunIsExportedReportedAndAudited() throws Exception {
        Path constitution = HOME.resolve("constitution.jsonl");
        Files.write(constitution, LoopIT.constitutionLines(20, 20, 11));
        String[] run = LoopIT.run("run", "--home", HOME.toString(), "--namespace", "two", "--corpus", CORPUS.toString(),
                "--constitution", constitution.toString(), "--max-passes", "2", "--delta", "0", "--threshold", "0.5");
        assertThat(run[0]).as(run[2]).isEqualTo("0");

        // Export (nested passes): kept and removed of pass 2 are exactly what pass 1 kept; annotations decide each once.
        Set<String> keptByPass1 = new HashSet<>();
        Map<String, String> labels = new HashMap<>();
        RecurateTopics topics = topics("two");
        TopicScan.read(kafka(), topics.kept(1).name(), topics.kept(1).valueSerde().deserializer(),
                (ScoredDocument d) -> keptByPass1.add(d.getDocument().getId()));
        TopicScan.read(kafka(), topics.ingest().name(), topics.ingest().valueSerde().deserializer(),
                (Document d) -> labels.put(d.getId(), d.getMetadata().get("label")));
        Path out = HOME.resolve("export-two");
        String[] exported = LoopIT.run("export", "--home", HOME.toString(), "--namespace", "two", "--pass", "2",
                "--format", "parquet", "--out", out.toString());
        assertThat(exported[0]).as(exported[2]).isEqualTo("0");
        JsonNode keptManifest = JSON.readTree(out.resolve("pass-2/kept/manifest.json").toFile());
        JsonNode removedManifest = JSON.readTree(out.resolve("pass-2/removed/manifest.json").toFile());
        assertThat(keptManifest.get("pass").asInt()).isEqualTo(2);
        assertThat(keptManifest.get("model_version").asText()).isEqualTo("v1");
        List<SourceDocument> kept = readShards(out.resolve("pass-2/kept"), keptManifest.get("rows").asLong());
        List<SourceDocument> removed = readShards(out.resolve("pass-2/removed"), removedManifest.get("rows").asLong());
        Set<String> decided = new HashSet<>();
        kept.forEach(d -> assertThat(decided.add(d.id())).isTrue());
        removed.forEach(d -> assertThat(decided.add(d.id())).isTrue());
        assertThat(decided).isEqualTo(keptByPass1);
        assertThat(kept).allSatisfy(d -> assertThat(d.metadata()).containsEntry("decision", "kept").containsEntry("pass", "2"));
        assertThat(removed).allSatisfy(d -> assertThat(d.metadata()).containsEntry("decision", "removed"));
        List<SourceDocument> annotations = new ArrayList<>();
        JsonNode annotationManifest = JSON.readTree(out.resolve("pass-2/annotations/manifest.json").toFile());
        for (JsonNode shard : annotationManifest.get("shards")) {
            CorpusReaders.read(out.resolve("pass-2/annotations").resolve(shard.get("file").asText()),
                    new ReadOptions(new io.recurate.corpus.FieldMapping("doc_id", "decision", "url"), 1 << 20, n -> { }),
                    annotations::add, b -> { throw new AssertionError(b.toString()); });
        }
        assertThat(annotations).extracting(SourceDocument::id).containsExactlyInAnyOrderElementsOf(keptByPass1);

        // Report: the JSON twin agrees with what was exported; the theory is there because the corpus has labels.
        // Run with a credential in the client properties: it must not reach the report or the audit files.
        String secret = "secret-" + java.util.UUID.randomUUID();
        Path clientProperties = HOME.resolve("client.properties");
        Files.write(clientProperties, List.of("basic.auth.user.info=reporter:" + secret));
        reportDir = HOME.resolve("report");
        String[] report = LoopIT.run("report", "--home", HOME.toString(), "--namespace", "two", "--out", reportDir.toString(),
                "--kafka-config", clientProperties.toString());
        assertThat(report[0]).as(report[2]).isEqualTo("0");
        JsonNode json = JSON.readTree(reportDir.resolve("report.json").toFile());
        assertThat(json.get("passes")).hasSize(2);
        assertThat(json.get("passes").get(1).get("kept").asLong()).isEqualTo(kept.size());
        assertThat(json.get("passes").get(1).get("removed").asLong()).isEqualTo(removed.size());
        assertThat(json.get("theory").get("rho").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("models")).hasSizeGreaterThanOrEqualTo(2);
        String html = Files.readString(reportDir.resolve("report.html"));
        List<String> svgs = svgBlocks(html);
        assertThat(svgs).hasSizeGreaterThanOrEqualTo(5); // 3 decay charts + 2 histograms
        for (String svg : svgs) {
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new java.io.ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(html).as("self-contained: no scripts, nothing fetched").doesNotContain("<script")
                .doesNotContainPattern("(src|href)=\"https?:").doesNotContain("<link");

        // Audit: verdicts filled from the corpus labels measure the pass's real precision and recall.
        auditDir = HOME.resolve("audit");
        String[] audit = LoopIT.run("audit", "--home", HOME.toString(), "--namespace", "two", "--pass", "1", "--size", "400",
                "--out", auditDir.toString(), "--kafka-config", clientProperties.toString());
        assertThat(audit[0]).as(audit[2]).isEqualTo("0");
        for (Path written : List.of(reportDir.resolve("report.html"), reportDir.resolve("report.json"),
                auditDir.resolve("audit-pass-1.html"), auditDir.resolve("audit-pass-1.jsonl"))) {
            assertThat(Files.readString(written)).as("no credential in %s", written).doesNotContain(secret);
        }
        assertThat(report[1] + report[2] + audit[1] + audit[2]).doesNotContain(secret);
        Path review = auditDir.resolve("audit-pass-1.jsonl");
        List<String> filled = new ArrayList<>();
        for (String line : Files.readAllLines(review)) {
            var row = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            row.put("verdict", labels.get(row.get("id").asText()));
            filled.add(row.toString());
        }
        assertThat(filled).hasSize(400);
        Path filledFile = auditDir.resolve("filled.jsonl");
        Files.write(filledFile, filled);
        String[] scored = LoopIT.run("audit", "score", filledFile.toString(), "--json", "--confidence", "0.999");
        assertThat(scored[0]).as(scored[2]).isEqualTo("0");
        JsonNode estimate = JSON.readTree(scored[1]);
        JsonNode truth = json.get("passes").get(0).get("labels");
        double truePrecision = truth.get("violating_removed").asDouble()
                / (truth.get("violating_removed").asDouble() + truth.get("acceptable_removed").asDouble());
        assertWithin(estimate.get("precision"), truePrecision);
        assertWithin(estimate.get("recall"), truth.get("recall").asDouble());
        assertWithin(estimate.get("false_positive_rate"), truth.get("false_positive_rate").asDouble());
        assertWithin(estimate.get("violating_fraction_kept"), truth.get("violating_fraction_kept").asDouble());

        // The same draw, blind: the reviewer's files hold no decision or score; the key joins them back.
        Path blindDir = HOME.resolve("audit-blind");
        String[] blind = LoopIT.run("audit", "--home", HOME.toString(), "--namespace", "two", "--pass", "1", "--size", "400",
                "--out", blindDir.toString(), "--blind");
        assertThat(blind[0]).as(blind[2]).isEqualTo("0");
        assertThat(blind[1]).contains("--key audit-pass-1.key.jsonl");
        String page = Files.readString(blindDir.resolve("audit-pass-1.html"));
        assertThat(page).contains("id=\"blind\"").doesNotContain(">removed<").doesNotContain(">kept<")
                .doesNotContain("id=\"strata\"");
        List<String> blindFilled = new ArrayList<>();
        for (String line : Files.readAllLines(blindDir.resolve("audit-pass-1.jsonl"))) {
            var row = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            assertThat(row.has("decision") || row.has("score") || row.has("stratum")).as(line).isFalse();
            row.put("verdict", labels.get(row.get("id").asText()));
            blindFilled.add(row.toString());
        }
        Files.write(blindDir.resolve("audit-pass-1.jsonl"), blindFilled);
        String[] blindScored = LoopIT.run("audit", "score", blindDir.resolve("audit-pass-1.jsonl").toString(), "--json",
                "--confidence", "0.999");
        assertThat(blindScored[0]).as("the key next to the review file is found by itself: " + blindScored[2]).isEqualTo("0");
        assertThat(JSON.readTree(blindScored[1])).as("the same sample and verdicts give the same estimates").isEqualTo(estimate);
    }

    @Test
    @Order(5)
    void reportAndAuditPageRenderInHeadlessChromium() throws Exception {
        assumeTrue(reportDir != null && auditDir != null, "the two-pass run did not produce a report and an audit");
        String chromium = Chromium.find();
        assumeTrue(chromium != null, "No chromium on PATH (apt-get install chromium): skipping the render check");
        Path shots = Path.of("target", "screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        for (Path page : List.of(reportDir.resolve("report.html"), auditDir.resolve("audit-pass-1.html"))) {
            Path shot = shots.resolve(page.getFileName().toString().replace(".html", ".png"));
            Chromium.Result result = Chromium.screenshot(chromium, page, shot, HOME.resolve("chromium-profile"));
            assertThat(result.exitCode()).as(result.log()).isZero();
            assertThat(result.log()).doesNotContain("Uncaught").doesNotContain("CONSOLE");
            BufferedImage image = ImageIO.read(shot.toFile());
            assertThat(image.getWidth()).isEqualTo(1280);
            Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 7) {
                for (int x = 0; x < image.getWidth(); x += 7) {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertThat(colours).as("a rendered page, not a blank one: %s", shot).hasSizeGreaterThan(20);
            String dom = Chromium.dumpDom(chromium, page, HOME.resolve("chromium-profile"));
            assertThat(dom).contains("</table>");
            if (page.getFileName().toString().equals("report.html")) {
                assertThat(dom).contains("<svg").contains("Decay against the theory");
            } else {
                assertThat(dom).contains("id=\"sample\"");
            }
        }
    }

    private static void assertWithin(JsonNode interval, double truth) {
        assertThat(truth).as("true value inside the audit's 99.9%% interval %s", interval)
                .isBetween(interval.get("low").asDouble(), interval.get("high").asDouble());
    }

    private static List<String> svgBlocks(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Reads an export folder's shards in manifest order, checking their sha256 and row counts. */
    private static List<SourceDocument> readShards(Path folder, long expectedRows) throws IOException {
        JsonNode manifest = JSON.readTree(folder.resolve("manifest.json").toFile());
        assertThat(manifest.get("rows").asLong()).isEqualTo(expectedRows);
        List<SourceDocument> docs = new ArrayList<>();
        for (JsonNode shard : manifest.get("shards")) {
            Path file = folder.resolve(shard.get("file").asText());
            assertThat(ShardedWriter.sha256(file)).isEqualTo(shard.get("sha256").asText());
            int before = docs.size();
            CorpusReaders.read(file, ReadOptions.defaults(), docs::add, b -> { throw new AssertionError(b.toString()); });
            assertThat(docs.size() - before).isEqualTo(shard.get("rows").asInt());
        }
        return docs;
    }

    private static Set<String> ingested(String namespace) {
        RecurateTopics topics = topics(namespace);
        Set<String> ids = new HashSet<>();
        List<String> all = new ArrayList<>();
        TopicScan.read(kafka(), topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            ids.add(d.getId());
            all.add(d.getId());
        });
        assertThat(all).as("no duplicates in %s", topics.ingest().name()).hasSameSizeAs(ids);
        return ids;
    }

    private static RecurateTopics topics(String namespace) {
        return new RecurateTopics(new TopicPlan(namespace, 6, (short) 1),
                new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
    }

    private static Map<String, Object> kafka() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path file = HOME.resolve(name);
        Files.write(file, bytes);
        return file;
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

    /** Debian's headless Chromium, run the way CI machines allow (no sandbox, no GPU, no network). */
    static final class Chromium {
        record Result(int exitCode, String log) {
        }

        static String find() {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                    if (Files.isExecutable(Path.of(dir, name))) {
                        return Path.of(dir, name).toString();
                    }
                }
            }
            return null;
        }

        static Result screenshot(String chromium, Path page, Path png, Path profile) throws Exception {
            return run(command(chromium, profile, "--window-size=1280,2400", "--screenshot=" + png, page.toUri().toString()));
        }

        static String dumpDom(String chromium, Path page, Path profile) throws Exception {
            Result r = run(command(chromium, profile, "--dump-dom", page.toUri().toString()));
            assertThat(r.exitCode()).as(r.log()).isZero();
            return r.log();
        }

        private static List<String> command(String chromium, Path profile, String... args) {
            List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--no-first-run",
                    "--hide-scrollbars", "--user-data-dir=" + profile));
            cmd.addAll(List.of(args));
            return cmd;
        }

        private static Result run(List<String> cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not finish in 120 s: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        }
    }
}
