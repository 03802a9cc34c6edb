package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.curation.loop.LoopRunner;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.ScoredDocument;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/**
 * The default loop with its pretrained encoder (e5-small-v2, fetched from Maven Central as a user's run fetches it),
 * in the production shape: a scorer and a trainer in processes of their own, driven by {@code run --no-services}.
 * Three passes on labelled mail: every pass decides each document once, the final corpus keeps less violating mail
 * than v0's scores cut once at the same benign retention, and the trainer, in its own process, reads the embeddings
 * the scorer computed instead of running the encoder again.
 */
class EncoderLoopIT {
    /** Mails of the repo's test corpus (the SpamAssassin sample, about 31% violating). */
    private static final int DOCUMENTS = 900;

    @Test
    void threeEncoderPassesBeatV0CutOnceAndTheTrainerEmbedsNothingTheScorerEmbedded() throws Exception {
        Path home = Path.of("target", "encoder-loop-" + System.nanoTime()).toAbsolutePath();
        Path corpus = MailCorpus.documents(DOCUMENTS);
        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        List<Child> children = new ArrayList<>();
        ExecutorService loopThread = Executors.newSingleThreadExecutor();
        try {
            var services = new EmbeddedServices(home).running().orElseThrow();
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(constitution, LoopIT.constitutionLines(20, 20, 11));
            String ns = "enc";
            String encoder = "e5-small-v2";
            Child scorer = Child.start(home, "scorer", "--home", home.toString(), "--namespace", ns, "--device", "cpu");
            children.add(scorer);
            Child trainer = Child.start(home, "trainer", "--home", home.toString(), "--namespace", ns, "--constitution",
                    constitution.toString(), "--encoder", encoder);
            children.add(trainer);
            Future<String[]> loop = loopThread.submit(() -> LoopIT.run("run", "--home", home.toString(), "--namespace", ns,
                    "--corpus", corpus.toString(), "--constitution", constitution.toString(), "--encoder", encoder,
                    "--max-passes", "3", "--delta", "0", "--no-services", "--metrics-port", "0"));
            String[] result = await(loop, children);
            assertThat(result[0]).as(result[2] + Child.logs(children)).isEqualTo("0");
            assertThat(result[1]).contains("Policy: self-train").contains("Pass 3 (v2");

            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
            Map<String, Boolean> violating = new HashMap<>();
            LoopRunner.read(kafka, topics.ingest().name(), topics.ingest().valueSerde().deserializer(),
                    (Document d) -> violating.put(d.getId(), "violating".equals(d.getMetadata().get("label"))));
            Map<String, Float> v0Scores = new HashMap<>();
            Set<String> finalKept = new HashSet<>();
            for (int pass = 1; pass <= 3; pass++) {
                int p = pass;
                List<String> decided = new ArrayList<>();
                LoopRunner.read(kafka, topics.kept(pass).name(), topics.kept(pass).valueSerde().deserializer(),
                        (ScoredDocument d) -> {
                            decided.add(d.getDocument().getId());
                            if (p == 1) {
                                v0Scores.put(d.getDocument().getId(), d.getScore());
                            }
                            if (p == 3) {
                                finalKept.add(d.getDocument().getId());
                            }
                        });
                LoopRunner.read(kafka, topics.removed(pass).name(), topics.removed(pass).valueSerde().deserializer(),
                        (ScoredDocument d) -> {
                            decided.add(d.getDocument().getId());
                            if (p == 1) {
                                v0Scores.put(d.getDocument().getId(), d.getScore());
                            }
                        });
                assertThat(decided).as("pass %d (full mode) decides every document once", pass)
                        .hasSize(violating.size()).containsExactlyInAnyOrderElementsOf(violating.keySet());
            }

            // The final corpus against v0's scores cut once, keeping as many acceptable documents.
            long acceptable = violating.values().stream().filter(v -> !v).count();
            long keptAcceptable = finalKept.stream().filter(id -> !violating.get(id)).count();
            long keptViolating = finalKept.size() - keptAcceptable;
            double finalShare = (double) keptViolating / finalKept.size();
            double retention = (double) keptAcceptable / acceptable;
            double v0Share = singleCut(v0Scores, violating, keptAcceptable);
            assertThat(finalShare).as("final corpus: %.2f%% violating at %.1f%% benign retention; v0 cut once there: %.2f%%",
                    100 * finalShare, 100 * retention, 100 * v0Share).isLessThan(v0Share);
            assertThat(retention).as("benign retention").isGreaterThanOrEqualTo(0.85);

            Map<String, ModelVersion> versions = new HashMap<>();
            LoopRunner.read(kafka, topics.models().name(), topics.models().valueSerde().deserializer(),
                    (ModelVersion v) -> versions.put(v.getVersion(), v));
            assertThat(versions).containsKeys("v0", "v1", "v2");
            for (String v : List.of("v1", "v2")) {
                assertThat(versions.get(v).getKind()).isEqualTo("embedding-head");
                assertThat(versions.get(v).getMetrics().get("embeddings_computed")).as("%s: texts the trainer ran through "
                        + "the encoder itself", v).isZero();
            }
            // v1's trainer read the scorer's embeddings from the topic; v2's found them in its own cache already.
            assertThat(versions.get("v1").getMetrics().get("embeddings_loaded")).as("v1: read from %s",
                    topics.plan().embeddings().name()).isGreaterThanOrEqualTo(DOCUMENTS * 0.9);
            assertThat(trainer.log()).contains("read from " + topics.plan().embeddings().name() + ", 0 to compute");
        } finally {
            loopThread.shutdownNow();
            children.forEach(c -> c.process().destroyForcibly());
            LoopIT.run("down", "--home", home.toString());
        }
    }

    /** The violating share of what v0's lowest scores keep once they hold {@code acceptableKept} acceptable documents. */
    private static double singleCut(Map<String, Float> scores, Map<String, Boolean> violating, long acceptableKept) {
        List<String> order = new ArrayList<>(scores.keySet());
        order.sort(Comparator.comparing(scores::get));
        long a = 0;
        long v = 0;
        for (String id : order) {
            if (a >= acceptableKept) {
                break;
            }
            if (violating.get(id)) {
                v++;
            } else {
                a++;
            }
        }
        return (double) v / (a + v);
    }

    private static String[] await(Future<String[]> loop, List<Child> serving) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        while (System.nanoTime() < deadline) {
            try {
                return loop.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException notYet) {
                Child.failIfOneDied(serving);
            }
        }
        throw new AssertionError("The loop did not finish within 15 minutes" + Child.logs(serving) + Arrays.toString(new int[0]));
    }
}
