package io.recurate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.inspect.audit.AuditEstimate;
import io.recurate.inspect.audit.AuditPage;
import io.recurate.inspect.audit.AuditSample;
import io.recurate.inspect.export.CurationHistory;
import io.recurate.topics.TopicScan;
import io.recurate.schemas.ScoredDocument;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "audit", mixinStandardHelpOptions = true, subcommands = AuditCommand.Score.class,
        description = {"Draw a stratified random sample of a pass's decisions (kept and removed, by score band) for people "
                + "to review: OUT/audit-pass-N.html to read, and OUT/audit-pass-N.jsonl whose 'verdict' fields reviewers fill "
                + "with acceptable or violating. --blind keeps decisions and scores out of the reviewer's sight.",
                "Then 'recurate audit score FILE' measures the pass's precision and recall from the filled file."})
final class AuditCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--pass", paramLabel = "N", description = "The pass (default: the last pass whose scoring finished).")
    Integer pass;

    @Option(names = "--size", defaultValue = "200", paramLabel = "K", description = "Documents to sample (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--bands", defaultValue = "5", description = "Score bands per decision (default: ${DEFAULT-VALUE}).")
    int bands;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed; the same seed draws the same sample (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--blind", description = "A blind review: the page and the review file show id and text only, in random "
            + "order; decisions, scores and strata go to OUT/audit-pass-N.key.jsonl for 'audit score --key'.")
    boolean blind;

    @Option(names = {"--out", "-o"}, defaultValue = ".", paramLabel = "DIR", description = "Folder to write into (default: the current one).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter printer = spec.commandLine().getOut();
        ClusterOptions.Cluster resolved = cluster.resolve();
        RecurateTopics topics = resolved.topics();
        CurationHistory history = CurationHistory.load(resolved.kafkaConfig(), topics);
        int n = history.chosenPass(pass, false).getPass();
        AuditSample sample = new AuditSample(size, bands, seed);
        for (var topic : List.of(topics.kept(n), topics.removed(n))) {
            TopicScan.read(resolved.kafkaConfig(), topic.name(), topic.valueSerde().deserializer(), (ScoredDocument d) -> sample.offer(d));
        }
        List<AuditSample.Row> rows = sample.rows();
        Files.createDirectories(out);
        Path review = out.resolve("audit-pass-" + n + ".jsonl");
        Path html = out.resolve("audit-pass-" + n + ".html");
        Path key = out.resolve("audit-pass-" + n + ".key.jsonl");
        if (blind) {
            rows = AuditSample.blindOrder(rows, seed);
            AuditSample.writeBlindFiles(review, key, rows);
        } else {
            AuditSample.writeReviewFile(review, rows);
            Files.deleteIfExists(key); // a key of an earlier blind draw would not match this file
        }
        Files.writeString(html, AuditPage.render(resolved.namespace(), n, sample.population(), rows, review.getFileName().toString(),
                blind ? key.getFileName().toString() : null), StandardCharsets.UTF_8);
        printer.printf("Sampled %d documents of pass %d in %d strata: %s to read, %s to fill (verdict: acceptable|violating)%n",
                rows.size(), n, sample.population().size(), html.toAbsolutePath(), review.toAbsolutePath());
        if (blind) {
            printer.printf("Blind review: decisions and scores are in %s; then 'recurate audit score %s --key %s'%n",
                    key.toAbsolutePath(), review.getFileName(), key.getFileName());
        }
        printer.flush();
        return 0;
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Measure a pass's precision, recall, false-positive rate and the violating share of what it kept "
                    + "from a filled audit file, with credible intervals (stratified, weighted by stratum size).")
    static final class Score implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The audit-pass-N.jsonl file with verdicts filled in.")
        Path file;

        @Option(names = "--key", paramLabel = "KEY", description = "The key file of a blind review (audit --blind wrote it "
                + "next to the review file as audit-pass-N.key.jsonl); default: the one the review file names, when it is "
                + "next to it.")
        Path key;

        @Option(names = "--confidence", defaultValue = "0.95", description = "Interval level (default: ${DEFAULT-VALUE}).")
        double confidence;

        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("No such file: " + file);
            }
            if (confidence <= 0 || confidence >= 1) {
                throw new IllegalArgumentException("--confidence must be between 0 and 1, was " + confidence);
            }
            AuditEstimate.Result r = AuditEstimate.score(file, key != null ? key : namedKey(file), confidence, 4000, 1);
            PrintWriter out = spec.commandLine().getOut();
            if (r.reviewed() == 0) {
                throw new IllegalArgumentException("No verdicts in " + file + ": fill 'verdict' with acceptable or violating");
            }
            r.warnings().forEach(w -> spec.commandLine().getErr().println("audit score: " + w));
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r.toJson()));
            } else {
                out.printf("%s: %d of %d sampled documents reviewed, %d strata; %.0f%% intervals%n", file, r.reviewed(), r.rows(),
                        r.strata().size(), 100 * confidence);
                out.printf("%-26s %s%n", "precision (removed)", r.precision());
                out.printf("%-26s %s%n", "recall", r.recall());
                out.printf("%-26s %s%n", "false-positive rate", r.falsePositiveRate());
                out.printf("%-26s %s%n", "violating share of kept", r.violatingInKept());
            }
            out.flush();
            return 0;
        }

        /** The key a blind review file names in its rows, when that file lies next to it; else null. */
        private static Path namedKey(Path file) throws java.io.IOException {
            String first;
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                first = lines.filter(l -> !l.isBlank()).findFirst().orElse("");
            }
            String named;
            try {
                named = new ObjectMapper().readTree(first).path("key_file").asText("");
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                named = ""; // names no key; scoring reports the line with its number
            }
            Path sibling = named.isEmpty() ? null : file.toAbsolutePath().resolveSibling(named);
            return sibling != null && Files.isRegularFile(sibling) ? sibling : null;
        }
    }
}
