package io.recurate.bench;

import io.recurate.model.score.BundleScorer;
import io.recurate.options.TrainOptions;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ExportMode;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.Metrics;
import io.recurate.model.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks that print a table, side by side with their anchor.",
        subcommands = {BenchCommand.Model.class, ScorerBenchCommand.class, TransformerBenchCommand.class, LoopBenchCommand.class,
                PublishBenchCommand.class})
public final class BenchCommand {

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = {"The built-in model against fastText (its speed and quality anchor) on the same data:",
                    "an 80/20 split with a fixed seed for quality and training speed, the test part repeated",
                    "--copies times for scoring speed. Single-threaded on both sides, so rates are per core."})
    static final class Model implements Callable<Integer> {
        @Option(names = "--data", defaultValue = "../shared/data/spamassassin-dev.jsonl.gz", paramLabel = "FILE",
                description = "Labelled JSONL (default: ${DEFAULT-VALUE}).")
        Path data;

        @Option(names = "--copies", defaultValue = "20", description = "Repeats of the test split for scoring speed (default: ${DEFAULT-VALUE}).")
        int copies;

        @Option(names = "--split-seed", defaultValue = "7", description = "Seed of the 80/20 split (default: ${DEFAULT-VALUE}).")
        long splitSeed;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per scoring measurement; the best is kept (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--fasttext", defaultValue = "fasttext", description = "fastText binary (default: ${DEFAULT-VALUE}).")
        String fasttext;

        @Option(names = "--work", defaultValue = "target/bench-model", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
        Path work;

        @Option(names = "--export", defaultValue = "FOLDED", description = "ONNX export mode to score with (default: ${DEFAULT-VALUE}).")
        ExportMode export;

        @Mixin
        TrainOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Files.createDirectories(work);
            List<LabelledText> all = new ArrayList<>();
            try (JsonlReader reader = JsonlReader.open(data, JsonlReader.OnError.SKIP, true)) {
                reader.forEachRemaining(all::add);
            }
            Collections.shuffle(all, new Random(splitSeed));
            int cut = (int) (all.size() * 0.8);
            List<LabelledText> train = all.subList(0, cut);
            List<LabelledText> test = all.subList(cut, all.size());
            List<String> big = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                test.forEach(t -> big.add(t.text()));
            }
            Path trainTxt = writeFastText(train, work.resolve("train.txt"));
            Path testTxt = writeFastText(test, work.resolve("test.txt"));
            Path bigTxt = work.resolve("big.txt");
            Files.write(bigTxt, Collections.nCopies(copies, Files.readString(testTxt)), StandardCharsets.UTF_8);
            Files.writeString(work.resolve("empty.txt"), "");
            long words = train.stream().mapToLong(t -> whitespaceWords(t.text())).sum();
            boolean[] labels = new boolean[test.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = test.get(i).violating();
            }
            long bigChars = big.stream().mapToLong(String::length).sum();
            out.printf("Data: %s, %d train / %d test documents, %d training words; scoring set %d documents (%.1f MB)%n",
                    data, train.size(), test.size(), words, big.size(), bigChars / 1e6);
            var s = options.settings();
            out.printf("Settings (both): dim %d, word n-grams %s, buckets %d, epochs %d, lr %s, 1 thread%n%n",
                    s.dim(), options.ngrams, options.buckets, s.epochs(), s.learningRate(), 1);

            // recurate: train (featurize included), export, load, score.
            long start = System.nanoTime();
            Trainer.Result result = new Trainer(options.spec(), s.withThreads(1).withValidationFraction(0))
                    .train(train.stream().map(LabelledText::toExample).iterator(), io.recurate.model.train.TrainingListener.NONE);
            double ourTrainSeconds = (System.nanoTime() - start) / 1e9;
            Path bundleDir = work.resolve("bundle-" + System.currentTimeMillis());
            ModelBundle.write(result.model(), new ModelBundle.Description("bench", "bench", null, 0.5f, Map.of(), Map.of()),
                    new OnnxExporter(export, OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD), bundleDir);
            float[] ourScores;
            double ourScoreSeconds = Double.MAX_VALUE;
            try (BundleScorer scorer = ModelBundle.load(bundleDir, new ScorerSettings(Device.CPU, 1, 256), null)) {
                ourScores = scorer.score(test.stream().map(LabelledText::text).toList());
                scoreAll(scorer, big); // warm-up: JIT and ONNX Runtime allocations
                for (int r = 0; r < repeats; r++) {
                    long t = System.nanoTime();
                    scoreAll(scorer, big);
                    ourScoreSeconds = Math.min(ourScoreSeconds, (System.nanoTime() - t) / 1e9);
                }
            }

            // fastText: the same split, settings and thread count.
            Path ftModel = work.resolve("fasttext-model");
            start = System.nanoTime();
            FastTextProcess.run(List.of(fasttext, "supervised", "-input", trainTxt.toString(), "-output", ftModel.toString(),
                    "-dim", Integer.toString(s.dim()), "-wordNgrams", Integer.toString(maxOrder()),
                    "-bucket", Integer.toString(options.buckets), "-epoch", Integer.toString(s.epochs()),
                    "-lr", Float.toString(s.learningRate()), "-thread", "1", "-verbose", "0"), null);
            double ftTrainSeconds = (System.nanoTime() - start) / 1e9;
            Path ftBin = Path.of(ftModel + ".bin");
            Path ftPredictions = work.resolve("fasttext-test-predictions.txt");
            FastTextProcess.run(List.of(fasttext, "predict-prob", ftBin.toString(), testTxt.toString(), "2"), ftPredictions);
            float[] ftScores = FastTextProcess.readScores(ftPredictions);
            double ftLoad = Double.MAX_VALUE;
            double ftScoreSeconds = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                ftLoad = Math.min(ftLoad, timed(List.of(fasttext, "predict-prob", ftBin.toString(), work.resolve("empty.txt").toString())));
                ftScoreSeconds = Math.min(ftScoreSeconds, timed(List.of(fasttext, "predict-prob", ftBin.toString(), bigTxt.toString())));
            }
            ftScoreSeconds = Math.max(1e-9, ftScoreSeconds - ftLoad); // model loading is not scoring

            double ourAuc = Metrics.rocAuc(ourScores, labels);
            double ftAuc = Metrics.rocAuc(ftScores, labels);
            double ourAcc = Metrics.confusion(ourScores, labels, 0.5f).accuracy();
            double ftAcc = Metrics.confusion(ftScores, labels, 0.5f).accuracy();
            double ourDocs = big.size() / ourScoreSeconds;
            double ftDocs = big.size() / ftScoreSeconds;
            double ourWords = words * (double) s.epochs() / ourTrainSeconds;
            double ftWords = words * (double) s.epochs() / ftTrainSeconds;
            String row = "%-44s %14s %14s %12s%n";
            out.printf(row, "measure", "recurate", "fastText", "recurate/ft");
            out.printf(row, "ROC AUC, 20% test split", f4(ourAuc), f4(ftAuc), String.format("%+.4f", ourAuc - ftAuc));
            out.printf(row, "accuracy at 0.5", f4(ourAcc), f4(ftAcc), String.format("%+.4f", ourAcc - ftAcc));
            out.printf(row, "scoring docs/s per core (featurize+score)", f0(ourDocs), f0(ftDocs), String.format("%.2fx", ourDocs / ftDocs));
            out.printf(row, "training words/s per thread (wall)", f0(ourWords), f0(ftWords), String.format("%.2fx", ourWords / ftWords));
            out.printf(row, "training wall seconds", String.format("%.2f", ourTrainSeconds), String.format("%.2f", ftTrainSeconds), "");
            out.printf("%nScoring: best of %d runs over %d documents; fastText's model load (%.2f s, from an empty input) is "
                    + "subtracted. Training: whole wall time including featurizing (recurate) and reading and vocabulary "
                    + "(fastText); words are whitespace-separated words of the training texts, times epochs.%n",
                    repeats, big.size(), ftLoad);
            return 0;
        }

        private int maxOrder() {
            return options.ngrams.stream().mapToInt(Integer::intValue).max().orElse(1);
        }

        private static void scoreAll(BundleScorer scorer, List<String> texts) {
            for (int i = 0; i < texts.size(); i += 1024) {
                scorer.score(texts.subList(i, Math.min(texts.size(), i + 1024)));
            }
        }

        private static Path writeFastText(List<LabelledText> docs, Path file) throws IOException {
            FastTextProcess.write(file, docs.stream().map(d -> FastTextProcess.line(d.violating(), d.text())).toList());
            return file;
        }

        private static long whitespaceWords(String text) {
            String t = text.trim();
            return t.isEmpty() ? 0 : t.split("\\s+").length;
        }

        private static double timed(List<String> command) throws IOException, InterruptedException {
            long start = System.nanoTime();
            FastTextProcess.run(command, null);
            return (System.nanoTime() - start) / 1e9;
        }

        private static String f4(double v) {
            return String.format("%.4f", v);
        }

        private static String f0(double v) {
            return String.format("%.0f", v);
        }
    }
}
