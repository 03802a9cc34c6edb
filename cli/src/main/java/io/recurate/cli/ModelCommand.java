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
import io.recurate.model.bundle.BundleKind;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.LinearHead;
import io.recurate.model.transformer.Pooling;
import io.recurate.model.transformer.SentenceTransformersConfig;
import io.recurate.model.transformer.LogisticHead;
import io.recurate.model.transformer.OnnxGraphFacts;
import io.recurate.model.transformer.TransformerSpec;
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
        description = "Train the built-in filter model into a bundle, bring a Hugging Face classifier as a bundle, and score "
                + "documents with a bundle.",
        subcommands = {ModelCommand.Train.class, ModelCommand.Score.class, ModelCommand.ImportHf.class})
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

        @Option(names = "--max-tokens-per-batch", defaultValue = "" + ScorerSettings.DEFAULT_MAX_TOKENS_PER_BATCH,
                description = "Transformer bundles: most padded tokens per inference call (default: ${DEFAULT-VALUE}).")
        int maxTokensPerBatch;

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
            ScorerSettings settings = new ScorerSettings(Device.parse(device), threads, batch)
                    .withMaxTokensPerBatch(maxTokensPerBatch);
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

    @Command(name = "import-hf", mixinStandardHelpOptions = true,
            description = {"Package a Hugging Face model exported to ONNX, with its tokenizer.json, as a bundle that "
                    + "'models publish' and 'run --initial-model' take:",
                    "  --kind hf-sequence-classifier (default): a sequence classifier; its logits give the score.",
                    "  --kind embedding-head: an encoder giving a pooled embedding ([batch, dim]) and a logistic head "
                            + "trained here on the --constitution's embeddings; each pass's trainer learns the head anew "
                            + "on the pass's documents, the encoder stays.",
                    "Export first, e.g.: optimum-cli export onnx --model ORG/NAME --task text-classification DIR",
                    "The model and tokenizer are checked as on every load (the tokenizer's ids fit the embedding table, "
                            + "the graph's inputs and output, the violating label, a text of --max-length tokens); the "
                            + "manifest's probes are the scores the model gives here, on CPU."})
    static final class ImportHf implements Callable<Integer> {
        @Option(names = "--kind", defaultValue = "hf-sequence-classifier",
                description = "hf-sequence-classifier or embedding-head (default: ${DEFAULT-VALUE}).")
        String kind;

        @Option(names = "--onnx", required = true, paramLabel = "FILE",
                description = "The exported model.onnx (external data files next to it are bundled too).")
        Path onnx;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "The model's tokenizer.json.")
        Path tokenizer;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Bundle folder to create (must not exist).")
        Path out;

        @Option(names = "--violating-label", defaultValue = "1",
                description = "Classifier: index of the logit that means violating (the model's id2label; default: ${DEFAULT-VALUE}).")
        int violatingLabel;

        @Option(names = "--constitution", paramLabel = "FILE",
                description = "Embedding head: labelled exemplars ({\"text\", \"label\"}) the first head is trained on.")
        Path constitution;

        @Option(names = "--max-length", defaultValue = "512",
                description = "Most tokens per document, special tokens included (default: ${DEFAULT-VALUE}).")
        int maxLength;

        @Option(names = "--truncation", defaultValue = "right",
                description = "Which end of a longer document is cut: right keeps its start, left its end (default: ${DEFAULT-VALUE}).")
        String truncation;

        @Option(names = "--output",
                description = "The graph's output: the logits (default: logits), or the embedding (default: sentence_embedding, "
                        + "or last_hidden_state when pooled).")
        String output;

        @Option(names = "--pooling", paramLabel = "none|mean|cls|max",
                description = "Embedding head: how the encoder's token states ([batch, tokens, dim], e.g. "
                        + "last_hidden_state) become one vector (default: what the export's sentence-transformers "
                        + "1_Pooling/config.json says, beside the ONNX file or one folder up; else none: the output is "
                        + "one vector per text already).")
        String pooling;

        @Option(names = "--normalize", negatable = true,
                description = "Embedding head: scale the pooled vector to unit length (default: when the export's "
                        + "modules.json has a Normalize module).")
        Boolean normalize;

        @Option(names = "--prefix", defaultValue = "",
                description = "Text put before every document, as the encoder was trained (e5: \"query: \").")
        String prefix;

        @Option(names = "--probe-tolerance", defaultValue = "" + TransformerSpec.DEFAULT_PROBE_TOLERANCE,
                description = "How far a probe's score may lie from the packaged one on another machine or device "
                        + "(default: ${DEFAULT-VALUE}).")
        double probeTolerance;

        @Option(names = "--name", defaultValue = "filter", description = "Model name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--model-version", defaultValue = "v0", description = "Model version (default: ${DEFAULT-VALUE}).")
        String version;

        @Option(names = "--threshold", defaultValue = "0.5", description = "Default violation threshold (default: ${DEFAULT-VALUE}).")
        float threshold;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            BundleKind bundleKind = BundleKind.of(kind);
            if (bundleKind == BundleKind.HASHED_NGRAM) {
                throw new IllegalArgumentException("--kind hashed-ngram bundles are made by 'model train'");
            }
            boolean head = bundleKind == BundleKind.EMBEDDING_HEAD;
            if (head && constitution == null) {
                throw new IllegalArgumentException("--kind embedding-head needs --constitution: the first head is trained on it");
            }
            List<String> inputs = OnnxGraphFacts.read(onnx).inputNames();
            TransformerSpec transformer = new TransformerSpec(TransformerSpec.TOKENIZER_FILE, maxLength, truncation,
                    violatingLabel, "input_ids", "attention_mask", inputs.contains("token_type_ids") ? "token_type_ids" : null,
                    output != null ? output : head ? "sentence_embedding" : "logits", probeTolerance);
            if (head) {
                var config = SentenceTransformersConfig.near(onnx);
                Pooling chosen = pooling != null ? Pooling.of(pooling)
                        : config.map(SentenceTransformersConfig::pooling).orElse(Pooling.NONE);
                boolean unit = normalize != null ? normalize : config.map(SentenceTransformersConfig::normalize).orElse(false);
                config.ifPresent(c -> spec.commandLine().getOut().printf("Pooling from %s: %s%s%n", c.source(),
                        c.pooling().id(), c.normalize() ? ", normalized" : ""));
                transformer = transformer.withPooling(chosen, unit, prefix);
                if (output == null && chosen != Pooling.NONE) {
                    transformer = new TransformerSpec(transformer.tokenizer(), maxLength, truncation, violatingLabel,
                            transformer.inputIds(), transformer.attentionMask(), transformer.tokenTypeIds(),
                            "last_hidden_state", probeTolerance, chosen, unit, prefix);
                }
            }
            ModelBundle.Description description = new ModelBundle.Description(name, version, null, threshold,
                    Map.of("origin", "model import-hf"), Map.of());
            ModelBundle bundle = head
                    ? ModelBundle.writeEmbeddingHead(onnx, tokenizer, transformer, firstHead(transformer), description, out, false)
                    : ModelBundle.writeTransformer(onnx, tokenizer, transformer, description, out);
            spec.commandLine().getOut().printf("Wrote %s: %s %s, kind %s, inputs %s, %d probes (sha256 %s)%n", out, name,
                    version, bundle.manifest().kind(), bundle.manifest().inputs(), bundle.manifest().probes().size(),
                    bundle.manifest().sha256().substring(0, 12));
            return 0;
        }

        /** Logistic regression on the encoder's embeddings of the constitution's exemplars. */
        private LinearHead firstHead(TransformerSpec transformer) {
            List<LabelledText> exemplars = new ArrayList<>();
            try (JsonlReader reader = JsonlReader.open(constitution, JsonlReader.OnError.FAIL, true)) {
                reader.forEachRemaining(exemplars::add);
            }
            try (EmbeddingHeadScorer encoder = EmbeddingHeadScorer.open(onnx, ModelBundle.sha256(onnx), tokenizer,
                    transformer, null, new EmbeddingCache(0), new ScorerSettings(Device.CPU, 1, 64))) {
                List<float[]> embeddings = encoder.embed(exemplars.stream().map(LabelledText::text).toList());
                boolean[] violating = new boolean[exemplars.size()];
                float[] weights = new float[exemplars.size()];
                for (int i = 0; i < violating.length; i++) {
                    violating[i] = exemplars.get(i).violating();
                    weights[i] = exemplars.get(i).weight();
                }
                LinearHead trained = LogisticHead.train(embeddings, violating, weights);
                spec.commandLine().getOut().printf("Trained the first head on %d exemplars of %s (%d dimensions)%n",
                        exemplars.size(), constitution, encoder.dimension());
                return trained;
            }
        }
    }
}
