package io.recurate.cli;

import io.recurate.inspect.export.CorpusExporter;
import io.recurate.inspect.export.CurationHistory;
import io.recurate.corpus.ShardFormat;
import io.recurate.schemas.PassStatus;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the curated corpus of a pass to files: OUT/pass-N/kept, OUT/pass-N/removed and "
                + "OUT/pass-N/annotations (one row per document: score, decision, model version), each as size-bounded "
                + "shards part-NNNNN.jsonl.gz or .parquet with a manifest.json (rows, sha256 per shard, pass, model "
                + "version, topic end offsets).",
                "With --ingest: the published corpus instead, to OUT/ingest."})
final class ExportCommand implements Callable<Integer> {

    enum Part { KEPT, REMOVED, ANNOTATIONS }

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--pass", paramLabel = "N", description = "The pass to export (default: the last pass whose scoring finished).")
    Integer pass;

    @Option(names = "--ingest", description = "Export the ingest topic (the corpus as published) instead of a pass.")
    boolean ingest;

    @Option(names = "--what", split = ",", defaultValue = "KEPT,REMOVED,ANNOTATIONS", paramLabel = "PART,...",
            description = "Which parts of the pass: kept, removed, annotations (default: all three).")
    List<Part> what;

    @Option(names = "--format", defaultValue = "JSONL", paramLabel = "jsonl|parquet",
            description = "Shard format: jsonl (gzipped) or parquet (zstd) (default: jsonl).")
    ShardFormat format;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "DIR", description = "Folder to write into.")
    Path out;

    @Option(names = "--shard-mb", defaultValue = "256", paramLabel = "MB",
            description = "Close a shard after this many MB of rows, before compression (default: ${DEFAULT-VALUE}).")
    double shardMb;

    @Option(names = "--allow-incomplete", description = "Export a pass whose scoring has not finished (what is there so far).")
    boolean allowIncomplete;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter printer = spec.commandLine().getOut();
        ClusterOptions.Cluster resolved = cluster.resolve();
        RecurateTopics topics = resolved.topics();
        CorpusExporter exporter = new CorpusExporter(resolved.kafkaConfig(), topics, format, (long) (shardMb * 1_000_000));
        if (ingest) {
            print(printer, exporter.exportIngest(out.resolve("ingest")));
            return 0;
        }
        CurationHistory history = CurationHistory.load(resolved.kafkaConfig(), topics);
        PassStatus status = history.chosenPass(pass, allowIncomplete,
                ", or export what it has decided so far with --allow-incomplete");
        Path folder = out.resolve("pass-" + status.getPass());
        for (Part part : what) {
            print(printer, switch (part) {
                case KEPT -> exporter.exportDecided(folder.resolve("kept"), status, true);
                case REMOVED -> exporter.exportDecided(folder.resolve("removed"), status, false);
                case ANNOTATIONS -> exporter.exportAnnotations(folder.resolve("annotations"), status);
            });
        }
        return 0;
    }

    private static void print(PrintWriter out, CorpusExporter.Written w) {
        out.printf("%-12s %,10d rows in %d shard(s), %.1f MB -> %s%n", w.kind(), w.rows(), w.shards().size(),
                w.shards().stream().mapToLong(io.recurate.corpus.Shard::bytes).sum() / 1e6, w.folder());
        out.flush();
    }
}
