package io.recurate.cli;

import io.recurate.model.score.BundleScorer;
import io.recurate.options.TrainOptions;
import io.recurate.model.bundle.Manifest;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ExportMode;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.train.Metrics;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainingReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Train the built-in filter model into a bundle, and score documents with a bundle.",
        subcommands = {ModelCommand.Train.class, ModelCommand.Score.class})
final class ModelCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Train a filter model on labelled JSONL and write it as a model bundle.",
                    "Each line: {\"text\": ..., \"label\": \"acceptable\"|\"violating\", \"weight\": optional}."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled JSONL, plain or .gz.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Bundle folder to create (must not exist).")
        Path bundleDir;

        @Option(names = "--name", defaultValue = "filter", description = "Model name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--model-version", defaultValue = "v0", description = "Model version (default: ${DEFAULT-VALUE}).")
        String version;

        @Option(names = "--threshold", defaultValue = "0.5", description = "Default violation threshold (default: ${DEFAULT-VALUE}).")
        float threshold;

        @Option(names = "--export", defaultValue = "FOLDED",
                description = "ONNX table: FOLDED (table x output layer, dim times smaller) or FULL (default: ${DEFAULT-VALUE}).")
        ExportMode export;

        @Option(names = "--on-error", defaultValue = "SKIP", description = "Bad input lines: SKIP (counted) or FAIL (default: ${DEFAULT-VALUE}).")
        JsonlReader.OnError onError;

        @Mixin
        TrainOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Trainer.Result result;
            java.util.Map<String, Long> skipped;
            try (JsonlReader reader = JsonlReader.open(data, onError, true);
                 TrainingProgress progress = new TrainingProgress()) {
                Iterator<io.recurate.model.train.Example> examples = new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return reader.hasNext();
                    }

                    @Override
                    public io.recurate.model.train.Example next() {
                        return reader.next().toExample();
                    }
                };
                result = new Trainer(options.spec(), options.settings()).train(examples, progress);
                skipped = reader.skipped();
            }
            if (!skipped.isEmpty()) {
                out.println("Skipped bad lines of " + data + ": " + skipped);
            }
            TrainingReport r = result.report();
            ModelBundle bundle = ModelBundle.write(result.model(), new ModelBundle.Description(name, version, null, threshold,
                    withData(options.provenance()), r.asMetrics()), new OnnxExporter(export,
                    OnnxExporter.DEFAULT_EXTERNAL_DATA_THRESHOLD), bundleDir);
            out.printf("Trained on %d examples (%d violating), %d held out; %d epochs (best %d)%n", r.trainExamples(),
                    r.trainViolating(), r.validationExamples(), r.epochsRun(), r.bestEpoch());
            out.printf("Validation: ROC AUC %.4f, accuracy %.4f, log loss %.4f%n", r.validationAuc(),
                    r.validationAccuracy(), r.validationLoss());
            out.printf("Speed: featurize %.1f s, train %.1f s, %.0f tokens/s per thread%n", r.featurizeSeconds(),
                    r.trainSeconds(), r.tokensPerSecondPerThread());
            out.printf("Bundle: %s (%s, sha256 %s)%n", bundle.dir(), bundle.manifest().version(),
                    bundle.manifest().sha256().substring(0, 12));
            return 0;
        }

        private Map<String, String> withData(Map<String, String> provenance) {
            Map<String, String> p = new LinkedHashMap<>(provenance);
            p.put("data", data.toString());
            return p;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"Score JSONL documents with a model bundle and print throughput;",
                    "with labels, also ROC AUC and precision/recall at the threshold."})
    static final class Score implements Callable<Integer> {
        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model bundle folder.")
        Path model;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL with a 'text' field, plain or .gz.")
        Path data;

        @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--batch", defaultValue = "256", description = "Documents per inference call (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--threshold", description = "Violation threshold (default: the bundle's).")
        Float threshold;

        @Option(names = "--on-error", defaultValue = "SKIP", description = "Bad input lines: SKIP (counted) or FAIL (default: ${DEFAULT-VALUE}).")
        JsonlReader.OnError onError;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Manifest manifest = ModelBundle.open(model).manifest();
            float tau = threshold != null ? threshold : manifest.threshold();
            ScorerSettings settings = new ScorerSettings(Device.parse(device), threads, batch);
            List<Float> scores = new ArrayList<>();
            List<Boolean> labels = new ArrayList<>();
            long chars = 0;
            double scoringSeconds = 0;
            String usedDevice;
            java.util.Map<String, Long> skipped;
            try (BundleScorer scorer = ModelBundle.load(model, settings, null);
                 JsonlReader reader = JsonlReader.open(data, onError, false);
                 ProgressBar bar = Progress.bar("Scoring", -1, " docs")) {
                List<LabelledText> chunk = new ArrayList<>();
                while (reader.hasNext()) {
                    chunk.add(reader.next());
                    if (chunk.size() == 4 * batch || !reader.hasNext()) {
                        long start = System.nanoTime();
                        float[] s = scorer.score(chunk.stream().map(LabelledText::text).toList());
                        scoringSeconds += (System.nanoTime() - start) / 1e9;
                        for (int i = 0; i < s.length; i++) {
                            scores.add(s[i]);
                            labels.add(chunk.get(i).violating());
                            chars += chunk.get(i).text().length();
                        }
                        bar.stepBy(chunk.size());
                        chunk.clear();
                    }
                }
                usedDevice = scorer.device();
                skipped = reader.skipped();
            }
            if (!skipped.isEmpty()) {
                out.println("Skipped bad lines of " + data + ": " + skipped);
            }
            out.printf("Scored %d documents on %s in %.2f s: %.0f docs/s, %.1f MB/s (featurize + inference)%n",
                    scores.size(), usedDevice, scoringSeconds, scores.size() / Math.max(1e-9, scoringSeconds),
                    chars / 1e6 / Math.max(1e-9, scoringSeconds));
            printQuality(out, scores, labels, tau);
            return 0;
        }

        static void printQuality(PrintWriter out, List<Float> scores, List<Boolean> labels, float tau) {
            List<Integer> labelled = new ArrayList<>();
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i) != null) {
                    labelled.add(i);
                }
            }
            long removed = scores.stream().filter(s -> s >= tau).count();
            out.printf("At threshold %.3f: %d of %d would be removed (%.2f%%)%n", tau, removed, scores.size(),
                    100.0 * removed / Math.max(1, scores.size()));
            if (labelled.isEmpty()) {
                return;
            }
            float[] s = new float[labelled.size()];
            boolean[] y = new boolean[labelled.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = scores.get(labelled.get(i));
                y[i] = labels.get(labelled.get(i));
            }
            Metrics.Confusion c = Metrics.confusion(s, y, tau);
            out.printf("Labelled documents: %d; ROC AUC %.4f; accuracy %.4f; precision %.4f; recall %.4f; "
                            + "false-positive rate %.4f%n", s.length, Metrics.rocAuc(s, y), c.accuracy(), c.precision(),
                    c.recall(), c.falsePositiveRate());
        }
    }
}
