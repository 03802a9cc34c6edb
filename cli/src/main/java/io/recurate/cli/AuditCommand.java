package io.recurate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.recurate.inspect.audit.AuditEstimate;
import io.recurate.inspect.audit.AuditPage;
import io.recurate.inspect.audit.AuditSample;
import io.recurate.inspect.audit.ReviewFile;
import io.recurate.inspect.audit.ReviewServer;
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

@Command(name = "audit", mixinStandardHelpOptions = true, subcommands = {AuditCommand.Review.class, AuditCommand.Score.class},
        description = {"Draw a stratified random sample of a pass's decisions (kept and removed, by score band) for people "
                + "to review: OUT/audit-pass-N.html to read, and OUT/audit-pass-N.jsonl whose 'verdict' fields reviewers fill "
                + "with acceptable or violating. --blind keeps decisions and scores out of the reviewer's sight.",
                "Then 'recurate audit review FILE' serves the review in the browser (verdicts by click or key, written to "
                        + "the file as they are given), or fill the file by hand; 'recurate audit score FILE' measures the "
                        + "pass's precision and recall from it."})
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

    @Command(name = "review", mixinStandardHelpOptions = true,
            description = {"Serve the review of an audit file in the browser, on loopback: one document at a time with "
                    + "its text, verdicts by click or key (a acceptable, v violating, s skip, u undo, arrows to move), a "
                    + "note, progress per stratum and a live estimate of precision, recall, false-positive rate and the "
                    + "violating share kept (as 'audit score' computes them). Every verdict is written to FILE at once.",
                    "A blind review (audit --blind) shows no decision, score, stratum or estimate until you have "
                            + "given every verdict. Several reviewers: each opens the page with ?reviewer=NAME (or runs "
                            + "this with --reviewer NAME); the file keeps each one's verdict, and 'audit score' reports "
                            + "their agreement (Cohen's kappa). Stop with Ctrl-C."})
    static final class Review implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "0..1",
                description = "The audit-pass-N.jsonl file (default: the newest audit-pass-*.jsonl in the current folder).")
        Path file;

        @Option(names = "--reviewer", paramLabel = "NAME", description = "Your name on each verdict (default: $USER).")
        String reviewer;

        @Option(names = "--port", defaultValue = "0", description = "Port on 127.0.0.1 (default: any free one).")
        int port;

        @Option(names = "--key", paramLabel = "KEY", description = "The key of a blind review, for the estimate once "
                + "every verdict is given (default: the one the review file names, next to it).")
        Path key;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path chosen = file != null ? file : newestAuditFile(Path.of("."));
            ReviewFile review = ReviewFile.open(chosen);
            String name = reviewer != null && !reviewer.isBlank() ? reviewer
                    : System.getenv().getOrDefault("USER", "reviewer");
            Path blindKey = key != null ? key : review.blind() ? Score.namedKey(chosen) : null;
            ReviewServer server = ReviewServer.start(review, blindKey, name, port);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Reviewing %s (%d documents%s) at %s%nEvery verdict is written to the file as you give it. "
                            + "Ctrl-C stops.%n", chosen, review.rows().size(), review.blind() ? ", blind" : "", server.url());
            out.flush();
            java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "review-stop"));
            stopped.await();
            return 0;
        }

        private static Path newestAuditFile(Path folder) throws java.io.IOException {
            try (var files = Files.list(folder)) {
                return files.filter(f -> f.getFileName().toString().matches("audit-pass-\\d+\\.jsonl"))
                        .max(java.util.Comparator.comparing(f -> f.toFile().lastModified()))
                        .orElseThrow(() -> new IllegalArgumentException("No audit-pass-N.jsonl in " + folder.toAbsolutePath()
                                + ": name the review file, or draw one with 'recurate audit'"));
            }
        }
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
                for (var p : r.agreement()) {
                    out.printf("agreement %s and %s: Cohen's kappa %s on %d documents both reviewed (%.1f%% the same)%n",
                            p.first(), p.second(), Double.isNaN(p.kappa()) ? "undefined (one verdict for everything)"
                                    : String.format(java.util.Locale.ROOT, "%.3f", p.kappa()), p.documents(), 100 * p.observed());
                }
            }
            out.flush();
            return 0;
        }

        /** The key a blind review file names in its rows, when that file lies next to it; else null. */
        static Path namedKey(Path file) throws java.io.IOException {
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
