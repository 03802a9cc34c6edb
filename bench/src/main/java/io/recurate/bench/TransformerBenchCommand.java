package io.recurate.bench;

import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.data.JsonlReader;
import io.recurate.model.data.LabelledText;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.LinearHead;
import io.recurate.model.transformer.RandomEncoder;
import io.recurate.model.transformer.TransformerScorer;
import io.recurate.model.transformer.TransformerSpec;
import io.recurate.model.transformer.WordPieceTokenizerWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Docs/s per core of transformer bundles (BERT-shaped, random weights) against the built-in hashed n-gram model. */
@Command(name = "transformer", mixinStandardHelpOptions = true,
        description = {"Scoring docs/s on one core of Hugging Face-shaped classifier bundles (a BERT-shaped encoder with "
                + "random weights and a WordPiece tokenizer.json made from the corpus: the same work per token as a "
                + "trained model of that shape) against the built-in hashed n-gram model, on the same texts.",
                "Tokenizing, padding and batching are included; each figure is the best of --repeats runs, but an "
                        + "embedding head's pass 1, which is one run on an empty embedding cache."})
public final class TransformerBenchCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "../shared/data/spamassassin-dev.jsonl.gz", paramLabel = "FILE",
            description = "Corpus (JSONL with text) (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--documents", defaultValue = "1000", description = "Documents scored per run (default: ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--max-lengths", defaultValue = "128,512", split = ",",
            description = "Token lengths the transformer is swept over (default: ${DEFAULT-VALUE}).")
    List<Integer> maxLengths;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per figure; the best is kept (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--work", defaultValue = "target/bench-transformer", description = "Scratch folder (default: ${DEFAULT-VALUE}).")
    Path work;

    @Spec
    CommandSpec spec;

    /** The shapes measured: the tests' tiny one, and one of MiniLM-L6's size (6 layers, width 384, 12 heads). */
    private static final Map<String, int[]> SHAPES = Map.of(
            "tiny (2 layers, width 32)", new int[] {32, 2, 2, 64},
            "MiniLM-sized (6 layers, width 384)", new int[] {384, 12, 6, 1536});

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path run = work.resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(run);
        List<LabelledText> corpus = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(data, JsonlReader.OnError.SKIP, true)) {
            reader.forEachRemaining(corpus::add);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; texts.size() < documents; i++) {
            texts.add(corpus.get(i % corpus.size()).text());
        }
        Path tokenizer = run.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(corpus.stream().map(LabelledText::text).toList(), 20_000, tokenizer);
        out.printf("Texts: %d documents from %s (%.0f characters on average); WordPiece vocabulary of %d from the corpus; "
                + "CPU, 1 thread%n%n", texts.size(), data, texts.stream().mapToInt(String::length).average().orElse(0),
                vocabulary);

        Path hashed = run.resolve("hashed");
        ModelBundle.write(new Trainer(FeaturizerSpec.defaults(), TrainerSettings.defaults())
                        .train(corpus.stream().map(LabelledText::toExample).iterator(), TrainingListener.NONE).model(),
                new ModelBundle.Description("filter", "bench", null, 0.5f, Map.of(), Map.of()), OnnxExporter.defaults(), hashed);
        ScorerSettings cpu = new ScorerSettings(Device.CPU, 1, 256);
        double hashedRate;
        try (BundleScorer scorer = ModelBundle.load(hashed, cpu, null)) {
            hashedRate = bestRate(scorer, texts);
        }
        String row = "%-38s %10s %12s %12s %10s%n";
        out.printf(row, "model", "max tokens", "docs/s", "vs hashed", "padding");
        out.printf(row, "hashed n-gram (built-in, 2^21 buckets)", "4096 words", f0(hashedRate), "1.00x", "-");
        for (Map.Entry<String, int[]> shape : SHAPES.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            int[] s = shape.getValue();
            for (int maxLength : maxLengths) {
                Path onnx = run.resolve("encoder-" + s[0] + "-" + maxLength + ".onnx");
                RandomEncoder.write(new RandomEncoder.Shape(vocabulary, s[0], s[1], s[2], s[3], maxLength, 2), 1, onnx);
                Path bundle = run.resolve("bundle-" + s[0] + "-" + maxLength);
                ModelBundle.writeTransformer(onnx, tokenizer, TransformerSpec.huggingFace(maxLength, "right", 1, true),
                        new ModelBundle.Description("filter", "bench", null, 0.5f, Map.of(), Map.of()), bundle);
                try (BundleScorer scorer = ModelBundle.load(bundle, cpu, null)) {
                    double rate = bestRate(scorer, texts);
                    out.printf(row, shape.getKey(), maxLength, f0(rate), String.format("%.4fx", rate / hashedRate),
                            String.format("%.0f%%", 100 * ((TransformerScorer) scorer).paddingShare()));
                }
                // The same encoder as an embedding head: pass 1 runs the encoder (an empty cache), passes 2..n read
                // the cache and evaluate the head.
                Path encoder = run.resolve("encoder-only-" + s[0] + "-" + maxLength + ".onnx");
                RandomEncoder.write(new RandomEncoder.Shape(vocabulary, s[0], s[1], s[2], s[3], maxLength, 0), 1, encoder);
                TransformerSpec headSpec = new TransformerSpec(TransformerSpec.TOKENIZER_FILE, maxLength, "right", 1,
                        "input_ids", "attention_mask", "token_type_ids", RandomEncoder.EMBEDDING_OUTPUT,
                        TransformerSpec.DEFAULT_PROBE_TOLERANCE);
                Path headBundle = run.resolve("head-" + s[0] + "-" + maxLength);
                ModelBundle.writeEmbeddingHead(encoder, tokenizer, headSpec, new LinearHead(new float[s[0]], 0f),
                        new ModelBundle.Description("filter", "bench", null, 0.5f, Map.of(), Map.of()), headBundle, false);
                EmbeddingCache cache = new EmbeddingCache(1L << 30);
                try (EmbeddingHeadScorer scorer = EmbeddingHeadScorer.open(headBundle.resolve(ModelBundle.MODEL),
                        ModelBundle.sha256(encoder), tokenizer, headSpec, headBundle, cache, cpu)) {
                    long start = System.nanoTime();
                    scorer.score(texts);
                    double cold = texts.size() / ((System.nanoTime() - start) / 1e9);
                    double warm = bestRate(scorer, texts);
                    out.printf(row, "  embedding head, pass 1 (encoder)", maxLength, f0(cold),
                            String.format("%.4fx", cold / hashedRate), "");
                    out.printf(row, "  embedding head, passes 2..n (cache)", maxLength, f0(warm),
                            String.format("%.4fx", warm / hashedRate), "");
                }
            }
        }
        out.printf("%nBest of %d runs of %d documents each (after one warm-up run), batches of 256 documents and at most "
                + "%d padded tokens per inference call, documents grouped by token count.%n", repeats, texts.size(),
                ScorerSettings.DEFAULT_MAX_TOKENS_PER_BATCH);
        return 0;
    }

    private double bestRate(BundleScorer scorer, List<String> texts) {
        scorer.score(texts); // warm-up: JIT, ONNX Runtime's allocations
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            scorer.score(texts);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return texts.size() / best;
    }

    private static String f0(double v) {
        return String.format("%.0f", v);
    }
}
