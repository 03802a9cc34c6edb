package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.curation.loop.LoopRunner;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import io.recurate.ledger.ModelLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: a pass pinned to a model its scorer refuses ends {@code run} at once, non-zero, with the
 * version, the reason and what to do; after the advice is followed, the next {@code run} starts the failed
 * pass again and finishes it.
 */
class RefusedModelIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRefusedModelEndsTheRunWithItsCauseAndAPromotedVersionRecoversThePass() throws Exception {
        Path home = Path.of("target", "refused-model-" + System.nanoTime()).toAbsolutePath();
        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        ExecutorService loopThread = Executors.newSingleThreadExecutor();
        try {
            var services = new EmbeddedServices(home).running().orElseThrow();
            Path corpus = home.resolve("corpus.jsonl");
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(corpus, documents(300, 1));
            Files.write(constitution, documents(40, 2));
            String ns = "refused";
            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));

            // A good bundle, and a copy whose manifest promises other scores than its graph computes.
            Path good = home.resolve("good");
            String[] trained = LoopIT.run("model", "train", "--data", constitution.toString(), "--out", good.toString(),
                    "--validation", "0");
            assertThat(trained[0]).as(trained[2]).isEqualTo("0");
            Path bad = home.resolve("bad");
            Files.createDirectories(bad);
            try (var files = Files.list(good)) {
                for (Path f : files.toList()) {
                    Files.copy(f, bad.resolve(f.getFileName()));
                }
            }
            ObjectNode manifest = (ObjectNode) JSON.readTree(bad.resolve("manifest.json").toFile());
            ObjectNode probe = (ObjectNode) manifest.get("probes").get(1);
            probe.put("logit", probe.get("logit").asDouble() + 3);
            JSON.writeValue(bad.resolve("manifest.json").toFile(), manifest);
            // Announced as v0 without the publisher's checks (as a store that changed under it would be).
            createTopics(home, ns);
            var m = ModelBundle.open(bad).manifest();
            ModelVersion v0 = ModelVersion.newBuilder().setName("filter").setVersion("v0").setParentVersion(null)
                    .setArtifactUri(bad.toUri().toString()).setSha256(m.sha256()).setFeaturizerSpec(m.featurizer().toJson())
                    .setThreshold(0.5f).setProvenance(Map.of()).setMetrics(Map.of()).setCreatedAt(Instant.now()).build();
            try (ModelLedger publisher = new ModelLedger(kafka, topics)) {
                publisher.announce(v0);
                publisher.promote(v0);
            }

            // The default policy scores the source itself to choose the threshold: the loop refuses at once.
            Future<String[]> early = loopThread.submit(() -> LoopIT.run("run", "--home", home.toString(), "--namespace", ns,
                    "--corpus", corpus.toString(), "--constitution", constitution.toString(), "--max-passes", "1",
                    "--metrics-port", "0"));
            String[] refused = early.get(4, TimeUnit.MINUTES);
            assertThat(refused[0]).as(refused[1] + refused[2]).isEqualTo("1");
            assertThat(refused[2]).contains("Model filter v0, which the next pass is to use, cannot be served")
                    .contains("probe 1").contains("recurate models promote");
            assertThat(lastStatus(kafka, topics, 1)).as("no pass was started").isNull();

            // A fixed threshold leaves the model to the scorer, which refuses it and fails the pass.
            Future<String[]> first = loopThread.submit(() -> LoopIT.run("run", "--home", home.toString(), "--namespace", ns,
                    "--corpus", corpus.toString(), "--constitution", constitution.toString(), "--max-passes", "1",
                    "--metrics-port", "0", "--threshold", "0.5"));
            String[] result = first.get(4, TimeUnit.MINUTES); // ended, not waiting for ever
            assertThat(result[0]).as(result[1] + result[2]).isEqualTo("1");
            assertThat(result[2]).contains("Pass 1 failed").contains("pinned to model filter v0")
                    .contains("refused").contains("probe 1").contains("recurate models promote");
            assertThat(lastStatus(kafka, topics, 1).getState()).isEqualTo(PassState.FAILED);

            // The advice: publish a version that loads and promote it; the next run starts pass 1 again.
            String[] published = LoopIT.run("models", "publish", good.toString(), "--model-version", "v0-good", "--promote",
                    "--home", home.toString(), "--namespace", ns);
            assertThat(published[0]).as(published[2]).isEqualTo("0");
            Future<String[]> second = loopThread.submit(() -> LoopIT.run("run", "--home", home.toString(), "--namespace", ns,
                    "--corpus", corpus.toString(), "--constitution", constitution.toString(), "--max-passes", "1",
                    "--metrics-port", "0", "--threshold", "0.5"));
            String[] again = second.get(4, TimeUnit.MINUTES);
            assertThat(again[0]).as(again[1] + again[2]).isEqualTo("0");
            assertThat(again[1]).contains("Pass 1 failed before").contains("Starting pass 1 again")
                    .contains("Pass 1 (v0-good");
            PassStatus done = lastStatus(kafka, topics, 1);
            assertThat(done.getState()).isIn(PassState.SCORED, PassState.TRAINED);
            assertThat(done.getModelVersion()).isEqualTo("v0-good");
            List<String> decided = new ArrayList<>();
            for (var t : List.of(topics.kept(1), topics.removed(1))) {
                LoopRunner.read(kafka, t.name(), t.valueSerde().deserializer(),
                        (ScoredDocument d) -> decided.add(d.getDocument().getId()));
            }
            Set<String> unique = new HashSet<>(decided);
            assertThat(decided).as("the restarted pass decides each document once").hasSize(300).hasSameSizeAs(unique);
        } finally {
            loopThread.shutdownNow();
            LoopIT.run("down", "--home", home.toString());
        }
    }

    private static void createTopics(Path home, String ns) {
        String[] created = LoopIT.run("topics", "create", "--home", home.toString(), "--namespace", ns);
        assertThat(created[0]).as(created[2]).isEqualTo("0");
    }

    private static PassStatus lastStatus(Map<String, Object> kafka, RecurateTopics topics, int pass) {
        PassStatus[] last = new PassStatus[1];
        LoopRunner.read(kafka, topics.passes().name(), topics.passes().valueSerde().deserializer(), (PassStatus s) -> {
            if (s.getPass() == pass) {
                last[0] = s;
            }
        });
        return last[0];
    }

    /** Labelled synthetic mails: spam words make a document violating. */
    static List<String> documents(int n, long seed) {
        Random random = new Random(seed);
        String[] spam = {"viagra", "lottery", "casino", "winner", "cheap", "pills"};
        String[] work = {"meeting", "invoice", "agenda", "report", "schedule", "review"};
        String[] common = {"the", "a", "today", "please", "see", "you", "with", "and", "for", "this"};
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean violating = i % 5 == 0;
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 30; w++) {
                String[] pool = random.nextInt(4) == 0 ? (violating ? spam : work) : common;
                text.append(pool[random.nextInt(pool.length)]).append(' ');
            }
            lines.add(JSON.createObjectNode().put("id", "s" + seed + "-" + i).put("text", text.toString().trim())
                    .put("label", violating ? "violating" : "acceptable").toString());
        }
        return lines;
    }
}
