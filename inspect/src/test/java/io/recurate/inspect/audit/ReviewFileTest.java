package io.recurate.inspect.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.schemas.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path file(int rows) {
        List<AuditSample.Row> list = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            list.add(new AuditSample.Row("d" + i, 1, "v1", Decision.KEPT, 0.1f, Stratum.of(Decision.KEPT, 0.1f, 2), 10, rows,
                    "text " + i));
        }
        Path file = dir.resolve("audit-pass-1.jsonl");
        AuditSample.writeReviewFile(file, list);
        return file;
    }

    private static JsonNode row(Path file, String id) throws Exception {
        for (String line : Files.readAllLines(file)) {
            JsonNode row = JSON.readTree(line);
            if (row.get("id").asText().equals(id)) {
                return row;
            }
        }
        throw new AssertionError(id);
    }

    @Test
    void aVerdictIsOnDiskWhenRecordAnswersAndTheMajorityOfReviewersIsTheRowsVerdict() throws Exception {
        Path file = file(3);
        ReviewFile review = ReviewFile.open(file);
        review.record("ann", "d1", "violating", "spam offer");
        assertThat(row(file, "d1").get("verdict").asText()).isEqualTo("violating");
        assertThat(row(file, "d1").get("note").asText()).isEqualTo("spam offer");
        ReviewFile other = ReviewFile.open(file); // another process on the same file
        other.record("bob", "d1", "acceptable", null);
        review.record("cy", "d1", "acceptable", null); // read again before writing: bob's verdict is kept
        JsonNode d1 = row(file, "d1");
        assertThat(d1.get("reviews").size()).isEqualTo(3);
        assertThat(d1.get("verdict").asText()).as("two of three").isEqualTo("acceptable");
        assertThat(d1.get("note").asText()).as("the latest note").isEqualTo("spam offer");
        assertThat(row(file, "d0").get("verdict").isNull()).isTrue();
        assertThat(dir.resolve(".audit-pass-1.jsonl.tmp")).doesNotExist();
    }

    @Test
    void aTieGoesToTheLatestVerdictAndTakingAVerdictBackRemovesIt() throws Exception {
        Path file = file(1);
        ReviewFile review = ReviewFile.open(file);
        review.record("ann", "d0", "violating", null);
        Thread.sleep(2);
        review.record("bob", "d0", "acceptable", null);
        assertThat(row(file, "d0").get("verdict").asText()).isEqualTo("acceptable");
        review.record("bob", "d0", null, null);
        assertThat(row(file, "d0").get("verdict").asText()).isEqualTo("violating");
        assertThat(row(file, "d0").get("reviews").has("bob")).isFalse();
    }

    @Test
    void badVerdictsIdsAndFilesAreRefusedWithWhatIsWrong() throws Exception {
        Path file = file(1);
        ReviewFile review = ReviewFile.open(file);
        assertThatThrownBy(() -> review.record("ann", "d0", "spam", null)).hasMessageContaining("'spam' is neither");
        assertThatThrownBy(() -> review.record("ann", "nope", "violating", null)).hasMessageContaining("'nope' is not in");
        Files.writeString(file, Files.readString(file) + "{\"id\": \"d0\", \"text\": \"again\"}\n");
        assertThatThrownBy(() -> ReviewFile.open(file)).hasMessageContaining(":2: id 'd0' is there twice");
        assertThatThrownBy(() -> ReviewFile.open(dir.resolve("none.jsonl"))).hasMessageContaining("No such review file");
    }

    @Test
    void cohensKappaIsTheAgreementBeyondChanceOfEachPair() {
        List<Map<String, String>> verdicts = List.of(
                Map.of("ann", "violating", "bob", "violating"),
                Map.of("ann", "violating", "bob", "acceptable"),
                Map.of("ann", "acceptable", "bob", "acceptable"),
                Map.of("ann", "acceptable", "bob", "acceptable"),
                Map.of("ann", "acceptable", "cy", "acceptable"));
        List<ReviewerAgreement.Pair> pairs = ReviewerAgreement.of(verdicts);
        assertThat(pairs).extracting(p -> p.first() + "+" + p.second()).containsExactly("ann+bob", "ann+cy");
        ReviewerAgreement.Pair annBob = pairs.get(0);
        assertThat(annBob.documents()).isEqualTo(4);
        assertThat(annBob.observed()).isEqualTo(0.75);
        double chance = 0.5 * 0.25 + 0.5 * 0.75; // ann 2/4 violating, bob 1/4
        assertThat(annBob.kappa()).isEqualTo((0.75 - chance) / (1 - chance));
        assertThat(pairs.get(1).kappa()).as("one verdict for everything: undefined").isNaN();
    }
}
