package io.recurate.bench;

import io.recurate.curation.simulate.LabelledDocument;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.EmbeddingHeadScorer;
import io.recurate.model.transformer.EncoderFetch;
import io.recurate.model.transformer.EncoderFiles;
import io.recurate.model.transformer.PretrainedEncoder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A bench corpus's embeddings under a pretrained encoder: computed once (with a progress line) and kept in a file
 * named by the encoder, the token length and the corpus file's sha256, so that every policy, prevalence and seed of
 * this bench and the next reads them instead of running the encoder again, as the loop's embedding cache does.
 */
final class CorpusEmbeddings {
    private static final int BATCH = 64;
    private final Path home;
    private final Path dir;
    private final int maxLength;
    private final PrintWriter out;

    CorpusEmbeddings(Path home, Path dir, int maxLength, PrintWriter out) {
        this.home = home;
        this.dir = dir;
        this.maxLength = maxLength;
        this.out = out;
    }

    /** The embedding of every text of {@code corpus}, keyed by text. */
    Map<String, float[]> of(String encoderName, Path corpusFile, List<LabelledDocument> corpus) throws IOException {
        PretrainedEncoder encoder = PretrainedEncoder.named(encoderName);
        Path file = dir.resolve(encoder.name() + "-" + maxLength + "-" + ModelBundle.sha256(corpusFile).substring(0, 16) + ".bin");
        List<String> texts = new ArrayList<>(new LinkedHashSet<>(corpus.stream().map(LabelledDocument::text).toList()));
        if (Files.isRegularFile(file)) {
            Map<String, float[]> read = read(file);
            if (read.keySet().containsAll(texts)) {
                out.printf("Embeddings of %s under %s (%d tokens) read from %s%n", corpusFile.getFileName(), encoder.name(),
                        maxLength, file);
                return read;
            }
        }
        EncoderFiles files = EncoderFetch.fetch(encoder, home, EncoderFetch.defaultRepository(), EncoderFetch.localRepository(),
                line -> {
                    out.println(line);
                    out.flush();
                }).files(maxLength);
        Map<String, float[]> embeddings = new HashMap<>();
        long started = System.nanoTime();
        long said = started;
        try (EmbeddingHeadScorer session = EmbeddingHeadScorer.open(files.onnx(), ModelBundle.sha256(files.onnx()),
                files.tokenizer(), files.spec(), null, new EmbeddingCache(0), new ScorerSettings(Device.CPU, 0, 32))) {
            for (int i = 0; i < texts.size(); i += BATCH) {
                List<String> batch = texts.subList(i, Math.min(texts.size(), i + BATCH));
                List<float[]> vectors = session.embed(batch);
                for (int j = 0; j < batch.size(); j++) {
                    embeddings.put(batch.get(j), vectors.get(j));
                }
                long now = System.nanoTime();
                if (now - said > 10_000_000_000L || i + BATCH >= texts.size()) {
                    double seconds = (now - started) / 1e9;
                    out.printf("Embedding %s with %s: %d of %d texts, %.1f texts/s%n", corpusFile.getFileName(),
                            encoder.name(), Math.min(texts.size(), i + BATCH), texts.size(),
                            Math.min(texts.size(), i + BATCH) / seconds);
                    out.flush();
                    said = now;
                }
            }
        }
        write(file, embeddings);
        return embeddings;
    }

    private static Map<String, float[]> read(Path file) throws IOException {
        Map<String, float[]> out = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int dim = in.readInt();
            for (int i = 0; i < n; i++) {
                int length = in.readInt();
                String text = new String(in.readNBytes(length), java.nio.charset.StandardCharsets.UTF_8);
                float[] v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = in.readFloat();
                }
                out.put(text, v);
            }
        }
        return out;
    }

    private static void write(Path file, Map<String, float[]> embeddings) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        int dim = embeddings.values().iterator().next().length;
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            o.writeInt(embeddings.size());
            o.writeInt(dim);
            for (var e : embeddings.entrySet()) {
                byte[] text = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                o.writeInt(text.length);
                o.write(text);
                for (float f : e.getValue()) {
                    o.writeFloat(f);
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
}
