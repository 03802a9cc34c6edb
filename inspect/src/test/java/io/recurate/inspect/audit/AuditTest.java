package io.recurate.inspect.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.schemas.Decision;
import io.recurate.schemas.Document;
import io.recurate.schemas.ScoredDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void strataNameThemselvesAndParseBack() {
        Stratum s = Stratum.of(Decision.REMOVED, 0.93f, 5);
        assertThat(s.toString()).isEqualTo("removed 0.80-1.00");
        assertThat(Stratum.parse(s.toString())).isEqualTo(s);
        assertThat(Stratum.of(Decision.KEPT, 1.0f, 4)).isEqualTo(new Stratum(Decision.KEPT, 3, 4));
    }

    @Test
    void theSizeIsSpreadOverStrataAndSmallStrataGiveAllTheyHave() {
        AuditSample sample = new AuditSample(100, 5, 3);
        List<ScoredDocument> docs = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            docs.add(doc("k" + i, 0.05f, Decision.KEPT));     // kept 0.0-0.2: 5000
        }
        for (int i = 0; i < 7; i++) {
            docs.add(doc("m" + i, 0.45f, Decision.REMOVED));  // removed 0.4-0.6: 7
        }
        for (int i = 0; i < 900; i++) {
            docs.add(doc("r" + i, 0.95f, Decision.REMOVED));  // removed 0.8-1.0: 900
        }
        docs.forEach(sample::offer);
        List<AuditSample.Row> rows = sample.rows();
        Map<String, Long> byStratum = rows.stream().collect(Collectors.groupingBy(r -> r.stratum().toString(), Collectors.counting()));
        assertThat(byStratum).containsEntry("removed 0.40-0.60", 7L).containsEntry("kept 0.00-0.20", 47L)
                .containsEntry("removed 0.80-1.00", 46L);
        assertThat(rows).extracting(AuditSample.Row::id).doesNotHaveDuplicates();
        assertThat(rows).filteredOn(r -> r.stratum().decision() == Decision.KEPT)
                .allSatisfy(r -> assertThat(r.stratumPopulation()).isEqualTo(5000));
    }

    @Test
    void aSizeBelowTheNumberOfStrataIsRefusedRatherThanDroppingStrata() {
        AuditSample sample = new AuditSample(2, 5, 3);
        sample.offer(doc("a", 0.05f, Decision.KEPT));
        sample.offer(doc("b", 0.45f, Decision.KEPT));
        sample.offer(doc("c", 0.95f, Decision.REMOVED));
        assertThatThrownBy(sample::rows).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--size 2").hasMessageContaining("3 non-empty strata").hasMessageContaining("--bands");
        AuditSample enough = new AuditSample(3, 5, 3);
        List.of(doc("a", 0.05f, Decision.KEPT), doc("b", 0.45f, Decision.KEPT), doc("c", 0.95f, Decision.REMOVED))
                .forEach(enough::offer);
        assertThat(enough.rows()).hasSize(3);
    }

    @Test
    void aCensusWithVerdictsGivesTheExactRatesAndTheIntervalsCoverThem() throws Exception {
        // 1000 removed of which 800 violating, 9000 kept of which 90 violating; every document sampled.
        AuditSample sample = new AuditSample(10_000, 1, 1);
        Random random = new Random(5);
        Map<String, Boolean> violating = new java.util.HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            boolean removed = i < 1000;
            violating.put("d" + i, removed ? i < 800 : i < 1090);
            sample.offer(doc("d" + i, removed ? 0.9f : random.nextFloat() * 0.4f, removed ? Decision.REMOVED : Decision.KEPT));
        }
        Path file = dir.resolve("audit.jsonl");
        AuditSample.writeReviewFile(file, sample.rows());
        List<String> filled = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.put("verdict", violating.get(row.get("id").asText()) ? "violating" : "acceptable");
            filled.add(row.toString());
        }
        Files.write(file, filled);
        AuditEstimate.Result r = AuditEstimate.score(file, 0.95, 2000, 7);
        assertThat(r.reviewed()).isEqualTo(10_000);
        assertThat(r.precision().estimate()).isCloseTo(0.8, within(1e-9));
        assertThat(r.recall().estimate()).isCloseTo(800.0 / 890, within(1e-9));
        assertThat(r.falsePositiveRate().estimate()).isCloseTo(200.0 / (200 + 8910), within(1e-9));
        assertThat(r.violatingInKept().estimate()).isCloseTo(0.01, within(1e-9));
        assertThat(r.precision().low()).isLessThan(0.8);
        assertThat(r.precision().high()).isGreaterThan(0.8);
        assertThat(r.precision().high() - r.precision().low()).isLessThan(0.06);
    }

    @Test
    void unfilledAndUnknownVerdictsAreNotCounted() throws Exception {
        AuditSample sample = new AuditSample(10, 1, 1);
        for (int i = 0; i < 10; i++) {
            sample.offer(doc("d" + i, i < 5 ? 0.9f : 0.1f, i < 5 ? Decision.REMOVED : Decision.KEPT));
        }
        Path file = dir.resolve("partial.jsonl");
        AuditSample.writeReviewFile(file, sample.rows());
        List<String> lines = Files.readAllLines(file);
        List<String> filled = new ArrayList<>();
        String unreviewed = JSON.readTree(lines.get(9)).get("stratum").asText();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode row = (ObjectNode) JSON.readTree(lines.get(i));
            if (i == 0) {
                row.put("verdict", "spam?");
            } else if (i < 4) {
                row.put("verdict", "violating");
            }
            filled.add(row.toString());
        }
        Files.write(file, filled);
        AuditEstimate.Result r = AuditEstimate.score(file, 0.95, 500, 7);
        assertThat(r.rows()).isEqualTo(10);
        assertThat(r.reviewed()).isEqualTo(3);
        assertThat(r.invalid()).isEqualTo(1);
        assertThat(r.warnings()).anyMatch(w -> w.contains("partial.jsonl:1") && w.contains("spam?"))
                .anyMatch(w -> w.contains("Stratum " + unreviewed) && w.contains("no verdicts"));
    }

    @Test
    void aBlindReviewHidesDecisionsAndScoresAndItsKeyGivesTheSameEstimates() throws Exception {
        AuditSample sample = new AuditSample(300, 5, 4);
        Random random = new Random(9);
        Map<String, Boolean> violating = new java.util.HashMap<>();
        for (int i = 0; i < 3000; i++) {
            float score = random.nextFloat();
            boolean removed = score >= 0.5f;
            violating.put("d" + i, random.nextFloat() < score);
            sample.offer(doc("d" + i, score, removed ? Decision.REMOVED : Decision.KEPT));
        }
        List<AuditSample.Row> rows = sample.rows();
        Path open = dir.resolve("open.jsonl");
        AuditSample.writeReviewFile(open, rows);
        Path blind = dir.resolve("audit-pass-1.jsonl");
        Path key = dir.resolve("audit-pass-1.key.jsonl");
        AuditSample.writeBlindFiles(blind, key, AuditSample.blindOrder(rows, 4));

        List<String> blindLines = Files.readAllLines(blind);
        for (String line : blindLines) {
            assertThat(JSON.readTree(line).fieldNames()).toIterable()
                    .containsExactly("id", "pass", "key_file", "verdict", "note", "text");
        }
        List<String> openOrder = rows.stream().map(AuditSample.Row::id).toList();
        List<String> blindOrder = new ArrayList<>();
        for (String l : blindLines) {
            blindOrder.add(JSON.readTree(l).get("id").asText());
        }
        assertThat(blindOrder).as("the same documents").containsExactlyInAnyOrderElementsOf(openOrder)
                .as("not grouped by stratum, which would give the decisions away").isNotEqualTo(openOrder);

        fill(open, violating);
        fill(blind, violating);
        AuditEstimate.Result expected = AuditEstimate.score(open, 0.95, 1000, 3);
        AuditEstimate.Result got = AuditEstimate.score(blind, key, 0.95, 1000, 3);
        assertThat(got.reviewed()).isEqualTo(rows.size());
        assertThat(got.toJson()).isEqualTo(expected.toJson());

        assertThatThrownBy(() -> AuditEstimate.score(blind, null, 0.95, 100, 3))
                .hasMessageContaining("audit-pass-1.jsonl:1").hasMessageContaining("--key audit-pass-1.key.jsonl");
        Path otherKey = dir.resolve("other.key.jsonl");
        Files.write(otherKey, Files.readAllLines(key).subList(1, rows.size()));
        String missing = JSON.readTree(Files.readAllLines(key).get(0)).get("id").asText();
        int line = blindOrder.indexOf(missing) + 1;
        assertThatThrownBy(() -> AuditEstimate.score(blind, otherKey, 0.95, 100, 3))
                .hasMessageContaining("audit-pass-1.jsonl:" + line).hasMessageContaining("'" + missing + "' is not in the key");
    }

    private static void fill(Path file, Map<String, Boolean> violating) throws Exception {
        List<String> filled = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ObjectNode row = (ObjectNode) JSON.readTree(line);
            row.put("verdict", violating.get(row.get("id").asText()) ? "violating" : "acceptable");
            filled.add(row.toString());
        }
        Files.write(file, filled);
    }

    private static ScoredDocument doc(String id, float score, Decision decision) {
        Document d = Document.newBuilder().setId(id).setText("text of " + id).setContentSha256("0").setIngestedAt(Instant.EPOCH).build();
        return ScoredDocument.newBuilder().setDocument(d).setPass(1).setModelVersion("v0").setScore(score).setDecision(decision)
                .setThreshold(0.5f).setScoredAt(Instant.EPOCH).build();
    }
}
