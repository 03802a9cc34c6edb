package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.curation.loop.LoopRunner;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassStatus;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/** A trainer killed with SIGKILL while training announces nothing; restarted, it trains and the loop goes on. */
class KilledTrainerIT {
    private static final Path CORPUS = MailCorpus.documents(LoopIT.DOCUMENTS);

    @Test
    void killedTrainerPublishesNothingAndTheLoopCompletesAfterRestart() throws Exception {
        Path home = Path.of("target", "killed-trainer-" + System.nanoTime()).toAbsolutePath();
        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        List<Child> children = new ArrayList<>();
        ExecutorService loopThread = Executors.newSingleThreadExecutor();
        try {
            var services = new EmbeddedServices(home).running().orElseThrow();
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(constitution, LoopIT.constitutionLines(20, 20, 11));
            String ns = "killtrain";
            Child scorer = Child.start(home, "scorer", "--home", home.toString(), "--namespace", ns, "--device", "cpu");
            children.add(scorer);
            // Many epochs, so that training lasts long enough to be killed in the middle of it.
            // The SGD model (policy naive): its training lasts long enough to be killed in the middle of it.
            Child first = Child.start(home, "trainer", "--home", home.toString(), "--namespace", ns, "--constitution",
                    constitution.toString(), "--epochs", "400", "--validation", "0", "--policy", "naive");
            children.add(first);
            Future<String[]> loop = loopThread.submit(() -> LoopIT.run("run", "--home", home.toString(), "--namespace", ns,
                    "--corpus", CORPUS.toString(), "--constitution", constitution.toString(), "--max-passes", "2",
                    "--delta", "0", "--no-services", "--metrics-port", "0", "--threshold", "0.5"));

            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
            // Killed once it says it trains v1 (it has read pass 1 then), whatever the speed of the machine.
            first.awaitLog("Training v1 after pass 1", Duration.ofMinutes(5), children);
            Thread.sleep(500);
            first.process().destroyForcibly();
            assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(first.log()).as("killed in the middle of training, before anything was announced")
                    .doesNotContain("announced");
            assertThat(versions(kafka, topics)).as("a killed trainer announces nothing").doesNotContainKey("v1");
            assertThat(home.resolve("models").resolve(ns).resolve("filter").resolve("v1"))
                    .as("and leaves no bundle behind, only perhaps a temporary folder").doesNotExist();

            Child second = Child.start(home, "trainer", "--home", home.toString(), "--namespace", ns, "--constitution",
                    constitution.toString(), "--policy", "naive");
            children.add(second);
            String[] result = awaitLoop(loop, List.of(scorer, second), kafka, topics);
            assertThat(result[0]).as(result[2]).isEqualTo("0");
            assertThat(result[1]).contains("Pass 2 (v1");
            assertThat(versions(kafka, topics)).containsKeys("v0", "v1");
        } finally {
            loopThread.shutdownNow(); // a loop still waiting is interrupted, not left polling the next test's broker
            children.forEach(c -> c.process().destroyForcibly());
            LoopIT.run("down", "--home", home.toString());
        }
    }

    /** The loop's result; fails at once, with the logs, when a service it waits for dies or it takes too long. */
    private static String[] awaitLoop(Future<String[]> loop, List<Child> serving, Map<String, Object> kafka,
                                      RecurateTopics topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
        while (System.nanoTime() < deadline) {
            try {
                return loop.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException notYet) {
                Child.failIfOneDied(serving);
            }
        }
        Map<Integer, String> passes = new java.util.TreeMap<>();
        LoopRunner.read(kafka, topics.passes().name(), topics.passes().valueSerde().deserializer(),
                (PassStatus s) -> passes.put(s.getPass(), s.getState() + " " + s.getCounts()));
        throw new AssertionError("The loop did not finish within 8 minutes after the trainer's restart. Passes: " + passes
                + "; versions: " + versions(kafka, topics).keySet() + Child.logs(serving));
    }

    private static Map<String, ModelVersion> versions(Map<String, Object> kafka, RecurateTopics topics) {
        Map<String, ModelVersion> out = new HashMap<>();
        LoopRunner.read(kafka, topics.models().name(), topics.models().valueSerde().deserializer(),
                (ModelVersion v) -> out.put(v.getVersion(), v));
        return out;
    }
}
