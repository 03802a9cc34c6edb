package io.recurate.cli;

import io.recurate.cli.loop.LoopRunner;
import io.recurate.cli.loop.PassReport;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "loop", mixinStandardHelpOptions = true,
        description = {"The quality anchor of 'recurate run': the same loop done by hand with fastText on the same corpus "
                + "and constitution (train on the constitution, score, remove, retrain on kept as acceptable and removed as "
                + "violating plus the constitution, rescore the kept documents, repeat). Prints the same table as 'run'."})
final class LoopBenchCommand implements Callable<Integer> {
    @Option(names = "--corpus", defaultValue = "../shared/data/spamassassin-dev.jsonl.gz", paramLabel = "FILE",
            description = "Labelled JSONL corpus (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--constitution", required = true, paramLabel = "FILE", description = "Labelled exemplars (JSONL).")
    Path constitution;

    @Option(names = "--passes", defaultValue = "5", description = "Passes (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Fixed threshold (default: ${DEFAULT-VALUE}).")
    float threshold;

    @Option(names = "--budget", paramLabel = "Q", description = "Remove the Q highest-scoring fraction per pass instead.")
    Double budget;

    @Option(names = "--constitution-weight", defaultValue = "5",
            description = "fastText has no example weights: each exemplar is repeated this many times (default: ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--fasttext", defaultValue = "fasttext", description = "fastText binary (default: ${DEFAULT-VALUE}).")
    String fasttext;

    @Option(names = "--work", defaultValue = "target/bench-loop", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(work);
        List<LabelledText> docs = read(corpus);
        List<LabelledText> exemplars = read(constitution);
        long acceptable = docs.stream().filter(d -> !d.violating()).count();
        long violating = docs.size() - acceptable;
        List<LabelledText> source = docs;
        List<LabelledText> removedSoFar = new ArrayList<>();
        List<PassReport> reports = new ArrayList<>();
        long started = System.nanoTime();
        Path model = train(List.of(), List.of(), exemplars, 0, Math.max(5, Math.min(100, 5000 / Math.max(1, exemplars.size() * weight))));
        for (int n = 1; n <= passes; n++) {
            long passStart = System.nanoTime();
            float[] scores = score(model, source, n);
            float tau = threshold;
            if (budget != null) {
                float[] sorted = scores.clone();
                Arrays.sort(sorted);
                int keep = (int) Math.floor(sorted.length * (1 - budget));
                tau = keep >= sorted.length ? Math.nextUp(sorted[sorted.length - 1]) : sorted[keep];
            }
            List<LabelledText> kept = new ArrayList<>();
            long[] c = new long[4];
            for (int i = 0; i < scores.length; i++) {
                LabelledText d = source.get(i);
                boolean remove = scores[i] >= tau;
                if (remove) {
                    removedSoFar.add(d);
                } else {
                    kept.add(d);
                }
                c[(d.violating() ? 0 : 2) + (remove ? 1 : 0)]++;
            }
            reports.add(new PassReport(n, "ft" + (n - 1), source.size(), kept.size(), source.size() - kept.size(), 0,
                    c[0], c[1], c[2], c[3], (System.nanoTime() - passStart) / 1e9));
            source = kept;
            model = train(kept, removedSoFar, exemplars, n, 5);
        }
        out.printf("fastText loop by hand on %s (%s), nested, %s%n", corpus, constitution,
                budget == null ? "threshold " + threshold : "budget " + budget);
        LoopRunner.printTable(out, reports, acceptable, violating, true);
        out.printf("Wall time: %.1f s%n", (System.nanoTime() - started) / 1e9);
        return 0;
    }

    private Path train(List<LabelledText> kept, List<LabelledText> removed, List<LabelledText> exemplars, int n, int epochs)
            throws IOException, InterruptedException {
        Path data = work.resolve("train-" + n + ".txt");
        List<String> lines = new ArrayList<>();
        kept.forEach(d -> lines.add(FastTextProcess.line(false, d.text())));
        removed.forEach(d -> lines.add(FastTextProcess.line(true, d.text())));
        for (int r = 0; r < weight; r++) { // fastText has no example weights: repeat the exemplars
            exemplars.forEach(d -> lines.add(FastTextProcess.line(d.violating(), d.text())));
        }
        FastTextProcess.write(data, lines);
        Path model = work.resolve("model-" + n);
        FastTextProcess.run(List.of(fasttext, "supervised", "-input", data.toString(), "-output", model.toString(), "-dim", "32",
                "-wordNgrams", "2", "-bucket", "2097152", "-epoch", Integer.toString(epochs), "-lr", "0.5", "-thread", "1",
                "-verbose", "0"), null);
        return Path.of(model + ".bin");
    }

    private float[] score(Path model, List<LabelledText> docs, int n) throws IOException, InterruptedException {
        Path input = work.resolve("score-" + n + ".txt");
        FastTextProcess.write(input, docs.stream().map(d -> FastTextProcess.line(false, d.text())).toList());
        Path predictions = work.resolve("predictions-" + n + ".txt");
        FastTextProcess.run(List.of(fasttext, "predict-prob", model.toString(), input.toString(), "2"), predictions);
        return FastTextProcess.readScores(predictions);
    }

    private static List<LabelledText> read(Path file) {
        List<LabelledText> out = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file, JsonlReader.OnError.SKIP, true)) {
            reader.forEachRemaining(out::add);
        }
        return out;
    }
}
