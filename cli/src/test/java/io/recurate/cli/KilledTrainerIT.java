package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.recurate.cli.loop.LoopRunner;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;

/** A trainer killed with SIGKILL while training announces nothing; restarted, it trains and the loop goes on. */
class KilledTrainerIT {
    private static final Path CORPUS = Path.of(System.getProperty("recurate.shared.dir", "../../shared"))
            .resolve("data/spamassassin-dev.jsonl.gz");

    @Test
    void killedTrainerPublishesNothingAndTheLoopCompletesAfterRestart() throws Exception {
        assumeTrue(Files.isRegularFile(CORPUS), "Shared corpus " + CORPUS + " is absent: skipping");
        Path home = Path.of("target", "killed-trainer-" + System.nanoTime()).toAbsolutePath();
        assertThat(LoopIT.run("up", "--home", home.toString())[0]).isEqualTo("0");
        List<Process> processes = new ArrayList<>();
        try {
            var services = new EmbeddedServices(home).running().orElseThrow();
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(constitution, LoopIT.constitutionLines(20, 20, 11));
            String ns = "killtrain";
            processes.add(cli(home, "scorer", "--home", home.toString(), "--namespace", ns, "--device", "cpu"));
            // Many epochs, so that training lasts long enough to be killed in the middle of it.
            List<String> trainer = List.of("trainer", "--home", home.toString(), "--namespace", ns, "--constitution",
                    constitution.toString(), "--epochs", "400", "--validation", "0");
            Process first = cli(home, trainer.toArray(String[]::new));
            processes.add(first);
            CompletableFuture<String[]> loop = CompletableFuture.supplyAsync(() -> LoopIT.run("run", "--home",
                    home.toString(), "--namespace", ns, "--corpus", CORPUS.toString(), "--constitution",
                    constitution.toString(), "--max-passes", "2", "--delta", "0", "--no-services"));

            Map<String, Object> kafka = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, services.bootstrapServers());
            RecurateTopics topics = new RecurateTopics(new TopicPlan(ns, 6, (short) 1),
                    new RecurateSerdes(new RegistryClient(RegistryConfig.of(services.registryUrl()))));
            awaitPassState(kafka, topics, 1, PassState.SCORED);
            Thread.sleep(3000); // the trainer is now reading pass 1 and training v1 for 400 epochs
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(versions(kafka, topics)).as("a killed trainer announces nothing").doesNotContainKey("v1");
            assertThat(home.resolve("models").resolve(ns).resolve("filter").resolve("v1"))
                    .as("and leaves no bundle behind, only perhaps a temporary folder").doesNotExist();

            processes.add(cli(home, "trainer", "--home", home.toString(), "--namespace", ns, "--constitution",
                    constitution.toString()));
            String[] result = loop.get(10, TimeUnit.MINUTES);
            assertThat(result[0]).as(result[2]).isEqualTo("0");
            assertThat(result[1]).contains("Pass 2 (v1");
            assertThat(versions(kafka, topics)).containsKeys("v0", "v1");
        } finally {
            processes.forEach(Process::destroyForcibly);
            LoopIT.run("down", "--home", home.toString());
        }
    }

    private static Process cli(Path home, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(home);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(args[0] + "-" + System.nanoTime() + ".log").toFile()).start();
    }

    private static Map<String, ModelVersion> versions(Map<String, Object> kafka, RecurateTopics topics) {
        Map<String, ModelVersion> out = new HashMap<>();
        LoopRunner.read(kafka, topics.models().name(), topics.models().valueSerde().deserializer(),
                (ModelVersion v) -> out.put(v.getVersion(), v));
        return out;
    }

    private static void awaitPassState(Map<String, Object> kafka, RecurateTopics topics, int pass, PassState state)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            PassStatus[] latest = new PassStatus[1];
            try {
                LoopRunner.read(kafka, topics.passes().name(), topics.passes().valueSerde().deserializer(), (PassStatus s) -> {
                    if (s.getPass() == pass) {
                        latest[0] = s;
                    }
                });
            } catch (RuntimeException notYet) {
                // the topic may not exist yet
            }
            if (latest[0] != null && latest[0].getState() == state) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Pass " + pass + " never reached " + state);
    }
}
