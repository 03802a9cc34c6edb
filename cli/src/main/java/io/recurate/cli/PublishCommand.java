package io.recurate.cli;

import io.recurate.curation.ingest.IngestPublisher;
import io.recurate.ledger.NamespaceLease;
import io.recurate.curation.ingest.PublishSummary;
import io.recurate.corpus.BadInputException;
import io.recurate.corpus.CorpusFiles;
import io.recurate.corpus.FieldMapping;
import io.recurate.corpus.ReadOptions;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish corpus files to <ns>.docs.ingest: JSONL (plain, .gz, .zst) and Parquet; files, folders "
                + "(read recursively) and globs (quote them: 'data/**/*.parquet').",
                "Each document is keyed by its id (--id-field), else by the sha256 of its text; ids already in the topic "
                        + "are counted as duplicates and not published again, so publishing twice is harmless. Fields other "
                        + "than id, text and url are kept as metadata.",
                "Exit codes: 0 done (bad records skipped and counted), 65 stopped at a bad record (--on-error fail), "
                        + "2 usage error, 1 other failure."})
final class PublishCommand implements Callable<Integer> {
    static final int EXIT_BAD_INPUT = 65; // sysexits' EX_DATAERR

    enum OnError { SKIP, FAIL }

    @Mixin
    ClusterOptions cluster;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Corpus files, folders or globs.")
    List<String> paths;

    @Option(names = "--id-field", defaultValue = "id", description = "Field holding the document id (default: ${DEFAULT-VALUE}).")
    String idField;

    @Option(names = "--text-field", defaultValue = "text", description = "Field holding the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--url-field", defaultValue = "url", description = "Field holding the URL (default: ${DEFAULT-VALUE}).")
    String urlField;

    @Option(names = "--on-error", defaultValue = "SKIP", paramLabel = "skip|fail",
            description = "A bad record (malformed JSON, no text, invalid UTF-8, empty, too large, truncated file): skip "
                    + "and count it, or stop there (default: skip).")
    OnError onError;

    @Option(names = "--max-doc-mb", defaultValue = "16", paramLabel = "MB",
            description = "Skip documents larger than this (default: ${DEFAULT-VALUE}; at most 60, the topics take 64 MiB records).")
    double maxDocMb;

    @Option(names = "--no-progress", description = "No progress bar (for logs and CI).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long maxDocBytes = ReadOptions.maxDocumentBytes(maxDocMb);
        PrintWriter out = spec.commandLine().getOut();
        CorpusFiles.Expansion expansion = CorpusFiles.expandListingSkipped(paths);
        List<Path> files = expansion.files();
        if (!expansion.skipped().isEmpty()) {
            List<Path> skipped = expansion.skipped();
            spec.commandLine().getErr().printf("Not read: %d file(s) that are neither JSONL nor Parquet: %s%s%n", skipped.size(),
                    skipped.stream().limit(10).map(Path::toString).collect(java.util.stream.Collectors.joining(", ")),
                    skipped.size() > 10 ? ", ..." : "");
            spec.commandLine().getErr().flush();
        }
        ClusterOptions.Cluster resolved = cluster.resolve();
        TopicPlan plan = resolved.plan();
        try (TopicAdmin admin = new TopicAdmin(resolved.kafkaConfig())) {
            admin.ensure(plan.baseTopics());
        }
        try (NamespaceLease lease = NamespaceLease.acquire(resolved.kafkaConfig(), plan, "publish")) {
            return publish(files, resolved, plan, maxDocBytes, out);
        }
    }

    private int publish(List<Path> files, ClusterOptions.Cluster resolved, TopicPlan plan, long maxDocBytes, PrintWriter out) {
        RecurateTopics topics = resolved.topics(plan);
        ReadOptions read = new ReadOptions(new FieldMapping(idField, textField, urlField), maxDocBytes, n -> { });
        IngestPublisher publisher = new IngestPublisher(resolved.kafkaConfig(), topics, read, onError == OnError.FAIL);
        long totalBytes = files.stream().mapToLong(PublishCommand::size).sum();
        try (ProgressBar bar = noProgress ? null : Progress.bar("publish", Math.max(1, totalBytes / 1_000_000), " MB")) {
            long[] consumed = {0};
            IngestPublisher.Listener listener = new IngestPublisher.Listener() {
                @Override
                public void bytesRead(long n) {
                    consumed[0] += n;
                    if (bar != null) {
                        bar.stepTo(consumed[0] / 1_000_000);
                    }
                }

                @Override
                public void published(PublishSummary s) {
                    if (bar != null && s.published() % 1000 == 0) {
                        double secs = Math.max(1e-3, bar.getTotalElapsed().toMillis() / 1e3);
                        bar.setExtraMessage(String.format(" %,d docs, %,.0f docs/s", s.published(), s.published() / secs));
                    }
                }
            };
            PublishSummary summary;
            try {
                summary = publisher.publish(files, listener);
            } catch (BadInputException e) {
                if (bar != null) {
                    bar.close();
                }
                spec.commandLine().getErr().println("publish: stopped at a bad record (--on-error fail): " + e.getMessage());
                publisher.lastSummary().print(out, plan.ingest().name());
                return EXIT_BAD_INPUT;
            }
            if (bar != null) {
                bar.stepTo(bar.getMax());
                bar.close();
            }
            summary.print(out, plan.ingest().name());
            return 0;
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
