package io.recurate.bench;

import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.curation.simulate.PassResult;
import io.recurate.model.train.Example;
import io.recurate.model.train.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality anchor: the loop done by hand with Debian's fastText, as it was first measured (nested,
 * τ 0.5, kept documents as acceptable and removed ones as violating plus the constitution, exemplars
 * repeated for their weight since fastText has none).
 */
final class FastTextLoop {
    private final String fasttext;
    private final Path work;
    private final int weight;

    FastTextLoop(String fasttext, Path work, int weight) {
        this.fasttext = fasttext;
        this.work = work;
        this.weight = weight;
    }

    List<PassResult> run(List<LabelledDocument> corpus, List<Example> constitution, float tau, int passes)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        int corpusViolating = (int) corpus.stream().filter(LabelledDocument::violating).count();
        int corpusAcceptable = corpus.size() - corpusViolating;
        List<LabelledDocument> source = corpus;
        List<LabelledDocument> removedSoFar = new ArrayList<>();
        List<PassResult> results = new ArrayList<>();
        Path model = train(List.of(), List.of(), constitution, 0,
                Math.max(5, Math.min(100, 5000 / Math.max(1, constitution.size() * weight))));
        for (int n = 1; n <= passes; n++) {
            float[] scores = score(model, source, n);
            List<LabelledDocument> kept = new ArrayList<>();
            int violatingKept = 0;
            boolean[] labels = new boolean[scores.length];
            for (int i = 0; i < scores.length; i++) {
                LabelledDocument d = source.get(i);
                labels[i] = d.violating();
                if (scores[i] >= tau) {
                    removedSoFar.add(d);
                } else {
                    kept.add(d);
                    violatingKept += d.violating() ? 1 : 0;
                }
            }
            results.add(new PassResult(n, tau, source.size(), kept.size(), source.size() - kept.size(), 0, violatingKept,
                    kept.size() - violatingKept, corpusViolating, corpusAcceptable, Metrics.rocAuc(scores, labels)));
            source = kept;
            if (n < passes) {
                model = train(kept, removedSoFar, constitution, n, 5);
            }
        }
        return results;
    }

    private Path train(List<LabelledDocument> kept, List<LabelledDocument> removed, List<Example> exemplars, int n,
                       int epochs) throws IOException, InterruptedException {
        Path data = work.resolve("train-" + n + ".txt");
        List<String> lines = new ArrayList<>();
        kept.forEach(d -> lines.add(FastTextProcess.line(false, d.text())));
        removed.forEach(d -> lines.add(FastTextProcess.line(true, d.text())));
        for (int r = 0; r < weight; r++) {
            exemplars.forEach(e -> lines.add(FastTextProcess.line(e.violating(), e.text())));
        }
        FastTextProcess.write(data, lines);
        Path model = work.resolve("model-" + n);
        FastTextProcess.run(List.of(fasttext, "supervised", "-input", data.toString(), "-output", model.toString(), "-dim", "32",
                "-wordNgrams", "2", "-bucket", "2097152", "-epoch", Integer.toString(epochs), "-lr", "0.5", "-thread", "1",
                "-verbose", "0"), null);
        return Path.of(model + ".bin");
    }

    private float[] score(Path model, List<LabelledDocument> docs, int n) throws IOException, InterruptedException {
        Path input = work.resolve("score-" + n + ".txt");
        FastTextProcess.write(input, docs.stream().map(d -> FastTextProcess.line(false, d.text())).toList());
        Path predictions = work.resolve("predictions-" + n + ".txt");
        FastTextProcess.run(List.of(fasttext, "predict-prob", model.toString(), input.toString(), "2"), predictions);
        return FastTextProcess.readScores(predictions);
    }
}
