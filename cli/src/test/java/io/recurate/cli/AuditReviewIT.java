package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.inspect.audit.AuditSample;
import io.recurate.inspect.audit.ReviewFile;
import io.recurate.inspect.audit.ReviewServer;
import io.recurate.inspect.audit.Stratum;
import io.recurate.schemas.Decision;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page in a real headless browser (Debian's chromium through its chromedriver, nothing downloaded): a
 * reviewer reviews 20 documents by key presses, reloads the page mid-way, undoes a verdict, and finishes; the review
 * file, the page's live estimate and 'audit score' agree exactly. A blind review shows no decision, score, stratum or
 * estimate until the last verdict. A second reviewer's verdicts give Cohen's kappa in 'audit score'.
 */
class AuditReviewIT {
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir = Path.of("target", "audit-review-" + System.nanoTime()).toAbsolutePath();
    private ChromeDriver browser;
    private ReviewServer server;

    @BeforeEach
    void openBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        Files.createDirectories(dir);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        if (browser != null) {
            browser.quit();
        }
    }

    /** 20 rows in 4 strata; a document is violating when its number is a multiple of 3 (the reviewer's truth). */
    private static List<AuditSample.Row> rows() {
        List<AuditSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Decision decision = i < 10 ? Decision.KEPT : Decision.REMOVED;
            float score = (i < 10 ? 0.05f : 0.55f) + (i % 2) * 0.3f;
            Stratum stratum = Stratum.of(decision, score, 4); // 4 strata of 5 rows each
            rows.add(new AuditSample.Row("doc-" + i, 1, "v1", decision, score, stratum, 100 + 50L * (i % 2), 5,
                    "Text of document " + i + ". " + "word ".repeat(20 + i)));
        }
        return rows;
    }

    private static String truth(String id) {
        return Integer.parseInt(id.substring("doc-".length())) % 3 == 0 ? "violating" : "acceptable";
    }

    private void open(String reviewer) {
        browser.get(server.url().toString().replaceFirst("reviewer=[^&]*", "reviewer=" + reviewer));
        awaitProgress(null);
    }

    /** The text of an element as the reviewer sees it (the browser collapses runs of spaces). */
    private String shown(String id) {
        String text = browser.findElement(By.id(id)).getText();
        assertThat(text).as(id).isNotBlank();
        return spaces(text);
    }

    private static String spaces(String s) {
        return s.replaceAll("[ \\t]+", " ");
    }

    private String currentId() {
        String heading = browser.findElement(By.id("current-id")).getText(); // "7. doc-6"
        return heading.substring(heading.indexOf(' ') + 1);
    }

    private void press(String key) {
        new Actions(browser).sendKeys(key).perform();
    }

    /** Waits until the side bar says {@code reviewed} documents are reviewed (any number when null). */
    private void awaitProgress(Integer reviewed) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> {
            String text = b.findElement(By.id("progress")).getText();
            return reviewed == null ? !text.isEmpty() : text.startsWith(reviewed + " / ");
        });
    }

    /** Gives the true verdict on the current document by its key and waits until the file has it. */
    private void judge(int reviewedAfter) {
        press(truth(currentId()).equals("violating") ? "v" : "a");
        awaitProgress(reviewedAfter);
    }

    @Test
    void reviewByKeysReloadUndoAndFinishAndTheFileThePageAndAuditScoreAgree() throws Exception {
        Path file = dir.resolve("audit-pass-1.jsonl");
        AuditSample.writeReviewFile(file, rows());
        server = ReviewServer.start(ReviewFile.open(file), null, "ann", 0);
        open("ann");
        assertThat(browser.findElement(By.id("meta")).getText()).as("an open review shows the decision").contains("decision kept");
        for (int i = 1; i <= 10; i++) {
            judge(i);
        }
        browser.navigate().refresh(); // a closed tab or a reload loses nothing and goes on where the reviewer was
        awaitProgress(10);
        assertThat(currentId()).isEqualTo("doc-10");
        press("v".equals(truth("doc-10")) ? "a" : "v"); // a wrong verdict...
        awaitProgress(11);
        press("u"); // ...taken back
        awaitProgress(10);
        assertThat(currentId()).isEqualTo("doc-10");
        for (int i = 11; i <= 20; i++) {
            judge(i);
        }
        assertThat(browser.findElement(By.id("finished")).isDisplayed()).isTrue();

        // The file has every verdict, each the reviewer's.
        Map<String, String> written = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode row = JSON.readTree(line);
            written.put(row.get("id").asText(), row.get("verdict").asText());
            assertThat(row.path("reviews").path("ann").path("verdict").asText()).isEqualTo(row.get("verdict").asText());
        }
        assertThat(written).hasSize(20).allSatisfy((id, verdict) -> assertThat(verdict).as(id).isEqualTo(truth(id)));

        // The page's live estimate is exactly what 'audit score' prints.
        String[] score = LoopIT.run("audit", "score", file.toString());
        assertThat(score[0]).as(score[2]).isEqualTo("0");
        assertThat(spaces(score[1])).contains("precision (removed) " + shown("est-precision"))
                .contains("recall " + shown("est-recall"))
                .contains("false-positive rate " + shown("est-fpr"))
                .contains("violating share of kept " + shown("est-kept"))
                .contains("20 of 20 sampled documents reviewed, 4 strata");

        // A second reviewer disagrees on doc-1 and doc-2 of the first five: Cohen's kappa over those five.
        open("bob");
        awaitProgress(0);
        for (int i = 0; i < 5; i++) {
            String id = currentId();
            boolean flip = id.equals("doc-1") || id.equals("doc-2");
            press(truth(id).equals("violating") != flip ? "v" : "a");
            awaitProgress(i + 1);
        }
        String[] agreement = LoopIT.run("audit", "score", file.toString(), "--json");
        JsonNode pair = JSON.readTree(agreement[1]).path("agreement").get(0);
        assertThat(pair.path("reviewers").toString()).isEqualTo("[\"ann\",\"bob\"]");
        assertThat(pair.path("documents").asInt()).isEqualTo(5);
        // ann: doc-0 and doc-3 violating; bob: doc-0, doc-1, doc-2, doc-3 violating; 3 of 5 the same.
        double chance = 0.4 * 0.8 + 0.6 * 0.2;
        assertThat(pair.path("observed").asDouble()).isEqualTo(0.6);
        assertThat(pair.path("cohens_kappa").asDouble()).isCloseTo((0.6 - chance) / (1 - chance), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aBlindReviewShowsNoDecisionScoreStratumOrEstimateUntilTheLastVerdict() throws Exception {
        Path file = dir.resolve("audit-pass-2.jsonl");
        Path key = dir.resolve("audit-pass-2.key.jsonl");
        List<AuditSample.Row> rows = AuditSample.blindOrder(rows(), 5);
        AuditSample.writeBlindFiles(file, key, rows);
        server = ReviewServer.start(ReviewFile.open(file), key, "cy", 0);
        open("cy");
        for (int i = 1; i <= 20; i++) {
            String shownText = (String) browser.executeScript("return document.body.innerText");
            String served = (String) browser.executeScript("return JSON.stringify(state)");
            for (String what : List.of(shownText, served)) {
                assertThat(what).as("before verdict %d", i).doesNotContain("kept 0.").doesNotContain("removed 0.")
                        .doesNotContain("decision").doesNotContain("score").doesNotContain("stratum")
                        .doesNotContain("precision");
            }
            assertThat(browser.findElement(By.id("estimate-box")).isDisplayed()).isFalse();
            judge(i);
        }
        assertThat(browser.findElement(By.id("meta")).getText()).as("revealed once finished").contains("decision");
        String[] score = LoopIT.run("audit", "score", file.toString(), "--key", key.toString());
        assertThat(score[0]).as(score[2]).isEqualTo("0");
        assertThat(spaces(score[1])).contains("precision (removed) " + shown("est-precision"));
        assertThat(new File(file.toString() + ".lock")).exists(); // writes went through the lock
    }
}
