package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.curation.loop.LoopRunner;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.model.score.BundleScorer;
import io.recurate.model.transformer.EmbeddingCache;
import io.recurate.model.transformer.RandomEncoder;
import io.recurate.model.transformer.WordPieceTokenizerWriter;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: a Hugging Face-shaped classifier (a random BERT-shaped ONNX and a WordPiece tokenizer.json made here)
 * packaged with {@code model import-hf}, used as v0 by {@code run --initial-model} on a broker: pass 1 is scored by
 * it, exactly as the bundle scores outside Kafka; the trainer's v1 (the built-in model) scores pass 2.
 */
class HfBundleIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aHuggingFaceClassifierScoresTheFirstPassAndTheLoopGoesOn() throws Exception {
        Path home = Path.of("target", "hf-bundle-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(home);
        Path corpus = home.resolve("corpus.jsonl");
        Path constitution = home.resolve("constitution.jsonl");
        List<String> lines = RefusedModelIT.documents(300, 1);
        Files.write(corpus, lines);
        Files.write(constitution, RefusedModelIT.documents(40, 2));
        Map<String, String> texts = new HashMap<>();
        for (String line : lines) {
            var node = JSON.readTree(line);
            texts.put(node.get("id").asText(), node.get("text").asText());
        }
        Path tokenizer = home.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(texts.values(), 100, tokenizer);
        Path onnx = home.resolve("exported.onnx");
        RandomEncoder.write(RandomEncoder.Shape.tiny(vocabulary, 64), 5, onnx);

        // A tokenizer with more ids than the model's embedding table is refused, saying why.
        Path foreign = home.resolve("foreign-tokenizer.json");
        WordPieceTokenizerWriter.write(mergedWithManyWords(texts.values()), 5000, foreign);
        String[] refused = LoopIT.run("model", "import-hf", "--onnx", onnx.toString(), "--tokenizer", foreign.toString(),
                "--out", home.resolve("refused").toString());
        assertThat(refused[0]).isNotEqualTo("0");
        assertThat(refused[2]).contains("the tokenizer is not the model's");
        assertThat(home.resolve("refused")).doesNotExist();

        Path bundle = home.resolve("hf-v0");
        String[] imported = LoopIT.run("model", "import-hf", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--out", bundle.toString(), "--max-length", "64");
        assertThat(imported[0]).as(imported[2]).isEqualTo("0");
        assertThat(imported[1]).contains("kind hf-sequence-classifier").contains("token_type_ids");

        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        try {
            var services = new EmbeddedServices(home).running().orElseThrow();
            String ns = "hf";
            String[] result = LoopIT.run("run", "--home", home.toString(), "--namespace", ns, "--corpus", corpus.toString(),
                    "--constitution", constitution.toString(), "--initial-model", bundle.toString(), "--max-passes", "2",
                    "--budget", "0.1", "--metrics-port", "0");
            assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
            assertThat(result[1]).contains("Using " + bundle + " as v0").contains("Pass 2 (v1");

            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
            List<ScoredDocument> pass1 = new ArrayList<>();
            LoopRunner.read(kafka, topics.kept(1).name(), topics.kept(1).valueSerde().deserializer(),
                    (ScoredDocument d) -> pass1.add(d));
            int kept = pass1.size();
            LoopRunner.read(kafka, topics.removed(1).name(), topics.removed(1).valueSerde().deserializer(),
                    (ScoredDocument d) -> pass1.add(d));
            assertThat(pass1).hasSize(300).allSatisfy(d -> assertThat(d.getModelVersion()).isEqualTo("v0"));
            try (BundleScorer direct = ModelBundle.load(bundle, ScorerSettings.defaults().withDevice(Device.CPU), null)) {
                float[] expected = direct.score(pass1.stream().map(d -> d.getDocument().getText()).toList());
                for (int i = 0; i < pass1.size(); i++) {
                    assertThat(pass1.get(i).getScore()).as(pass1.get(i).getDocument().getId()).isCloseTo(expected[i], within(1e-5f));
                }
            }
            assertThat(300 - kept).as("the budget removes the highest-scoring tenth").isBetween(25, 35);
            float lowestRemoved = (float) pass1.subList(kept, 300).stream().mapToDouble(ScoredDocument::getScore).min().orElseThrow();
            assertThat(pass1.subList(0, kept)).allSatisfy(d -> assertThat(d.getScore()).isLessThanOrEqualTo(lowestRemoved));

            String[] list = LoopIT.run("models", "list", "--home", home.toString(), "--namespace", ns);
            assertThat(list[0]).as(list[2]).isEqualTo("0");
            assertThat(list[1].lines().filter(l -> l.contains(" v0 ")).findFirst().orElseThrow()).contains("hf-sequence-classifier");
            assertThat(list[1].lines().filter(l -> l.contains(" v1 ")).findFirst().orElseThrow()).contains("hashed-ngram");
        } finally {
            LoopIT.run("down", "--home", home.toString());
        }
    }

    /**
     * An embedding-head bundle as v0 of a 3-pass run: each pass's trainer learns a new head on the encoder's
     * embeddings, and each document (and exemplar) is run through the encoder once in the whole run.
     */
    @Test
    void anEmbeddingHeadIsRetrainedEachPassOnEmbeddingsComputedOnce() throws Exception {
        Path home = Path.of("target", "embedding-head-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(home);
        Path corpus = home.resolve("corpus.jsonl");
        Path constitution = home.resolve("constitution.jsonl");
        List<String> lines = RefusedModelIT.documents(300, 3);
        Files.write(corpus, lines);
        Files.write(constitution, RefusedModelIT.documents(40, 4));
        List<String> texts = new ArrayList<>();
        for (String line : lines) {
            texts.add(JSON.readTree(line).get("text").asText());
        }
        for (String line : Files.readAllLines(constitution)) {
            texts.add(JSON.readTree(line).get("text").asText());
        }
        Path tokenizer = home.resolve("tokenizer.json");
        int vocabulary = WordPieceTokenizerWriter.write(texts, 100, tokenizer);
        Path onnx = home.resolve("encoder.onnx");
        RandomEncoder.write(new RandomEncoder.Shape(vocabulary, 32, 2, 2, 64, 64, 0), 9, onnx);
        Path bundle = home.resolve("head-v0");
        String[] imported = LoopIT.run("model", "import-hf", "--kind", "embedding-head", "--onnx", onnx.toString(),
                "--tokenizer", tokenizer.toString(), "--constitution", constitution.toString(), "--out", bundle.toString(),
                "--max-length", "64");
        assertThat(imported[0]).as(imported[2]).isEqualTo("0");
        assertThat(imported[1]).contains("kind embedding-head").contains("Trained the first head on 40 exemplars");

        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        EmbeddingCache cache = EmbeddingCache.shared(); // the run's scorer and trainer run in this JVM
        long computedBefore = cache.computed();
        try {
            var services = new EmbeddingServicesView(home);
            String ns = "head";
            String[] result = LoopIT.run("run", "--home", home.toString(), "--namespace", ns, "--corpus", corpus.toString(),
                    "--constitution", constitution.toString(), "--initial-model", bundle.toString(), "--max-passes", "3",
                    "--budget", "0.05", "--delta", "0", "--metrics-port", "0");
            assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
            assertThat(result[1]).contains("Pass 3 (v2");
            long distinct = texts.stream().distinct().count();
            assertThat(cache.computed() - computedBefore).as("every document and exemplar through the encoder once")
                    .isEqualTo(distinct);

            try (var ledger = services.ledger(ns)) {
                var v1 = ledger.version("filter", "v1").orElseThrow();
                var v2 = ledger.version("filter", "v2").orElseThrow();
                for (var v : List.of(v1, v2)) {
                    assertThat(v.getKind()).isEqualTo("embedding-head");
                    assertThat(v.getSha256()).as("the encoder stays").isEqualTo(ModelBundle.open(bundle).manifest().sha256());
                }
                assertThat(v1.getMetrics().get("embeddings_computed")).as("v1: the exemplars; the scorer embedded the corpus")
                        .isEqualTo(40.0);
                assertThat(v2.getMetrics().get("embeddings_computed")).as("v2: all from the cache").isEqualTo(0.0);
                Path v1Dir = Path.of(java.net.URI.create(v1.getArtifactUri()));
                Path v2Dir = Path.of(java.net.URI.create(v2.getArtifactUri()));
                assertThat(Files.readString(v2Dir.resolve("head.json"))).as("a new head each pass")
                        .isNotEqualTo(Files.readString(v1Dir.resolve("head.json")));
                assertThat(Files.isSameFile(v1Dir.resolve("model.onnx"), v2Dir.resolve("model.onnx"))
                        || Files.mismatch(v1Dir.resolve("model.onnx"), v2Dir.resolve("model.onnx")) == -1).isTrue();
            }
        } finally {
            LoopIT.run("down", "--home", home.toString());
        }
    }

    /** The ledger of a namespace on the services 'up' started. */
    private record EmbeddingServicesView(Path home) {
        io.recurate.ledger.ModelLedger ledger(String ns) {
            var services = new EmbeddedServices(home).running().orElseThrow();
            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
            return new io.recurate.ledger.ModelLedger(kafka, topics);
        }
    }

    /** The corpus with many made-up words, so that the tokenizer gets far more ids than the model has rows. */
    private static List<String> mergedWithManyWords(java.util.Collection<String> texts) {
        List<String> out = new ArrayList<>(texts);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            words.append("word").append(Integer.toString(i, 36)).append(' ');
        }
        out.add(words.toString());
        return out;
    }
}
