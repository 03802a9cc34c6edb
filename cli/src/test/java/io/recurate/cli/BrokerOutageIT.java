package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The broker down for 135 s in the middle of a pass, longer than any client timeout (30 to 120 s), and the
 * schema registry down with it and for 30 s more, while the next pass's topics need their schemas registered:
 * the run, its scorer and its trainer wait, say what they wait for, and finish both passes exactly once when the
 * broker and the registry are back, with no manual step. It runs beside the other tests (its own home, services
 * and ports): most of its four minutes is the outage, a wait.
 */
@Execution(ExecutionMode.CONCURRENT)
class BrokerOutageIT {
    private static final long OUTAGE_SECONDS = 135;
    private static final long REGISTRY_LATER_SECONDS = 30;

    @Test
    void aRunWaitsOutAnOutageLongerThanEveryClientTimeoutMidPassAndFinishesExactlyOnce() throws Exception {
        Path home = Files.createDirectories(Path.of("target", "broker-outage-" + System.nanoTime()).toAbsolutePath());
        // Ports of its own (the others' services take 9092 and 8081): while this broker and registry are down, no
        // other test's services can take their ports, and none of this run's clients reach another test's broker.
        String[] up = LoopIT.run("up", "--home", home.toString(), "--port", "9192", "--registry-port", "8181");
        assertThat(up[0]).as(up[2]).isEqualTo("0");
        EmbeddedServices.State services = new EmbeddedServices(home).running().orElseThrow();
        assertThat(services.bootstrapServers()).endsWith(":9192");
        assertThat(services.registryUrl()).endsWith(":8181");
        Path constitution = home.resolve("constitution.jsonl");
        Files.write(constitution, LoopIT.constitutionLines(10, 10, 3));
        Path log = home.resolve("run.log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--home", home.toString(),
                "--namespace", "out", "--corpus", MailCorpus.documents(LoopIT.DOCUMENTS).toString(), "--constitution",
                constitution.toString(), "--max-passes", "2", "--delta", "0", "--metrics-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        EmbeddedBroker restarted = null;
        EmbeddedRegistry registryBack = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!Files.readString(log).contains("Pass 1: scoring") && System.nanoTime() < deadline) {
                assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
                Thread.sleep(50);
            }
            for (ProcessHandle down : List.of(ProcessHandle.of(services.brokers().get(0).pid()).orElseThrow(),
                    ProcessHandle.of(services.registry().pid()).orElseThrow())) {
                down.destroyForcibly();
                down.onExit().get(30, TimeUnit.SECONDS);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(OUTAGE_SECONDS));
            assertThat(run.isAlive()).as("the run waits for the broker: %s", Files.readString(log)).isTrue();
            restarted = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")).withDetached(true));
            Thread.sleep(TimeUnit.SECONDS.toMillis(REGISTRY_LATER_SECONDS));
            assertThat(run.isAlive()).as("the run waits for the registry: %s", Files.readString(log)).isTrue();
            registryBack = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(services.bootstrapServers())
                    .withPort(URI.create(services.registryUrl()).getPort())); // same address, same schema topic

            assertThat(run.waitFor(6, TimeUnit.MINUTES)).as("the run ended").isTrue();
            String out = Files.readString(log);
            assertThat(run.exitValue()).as(out).isZero();
            assertThat(out).contains("Waiting for the cluster").contains("The cluster answers again")
                    .contains("Waiting for schema registry").contains("answers again (waited").contains("Pass 2 (v1");
            // Issue 32: an outage of 260 s rolled the run's log twice (2 x 20 MB) as every client said it retried.
            long logBytes;
            try (var files = Files.list(home.resolve("logs"))) {
                logBytes = files.filter(f -> f.getFileName().toString().startsWith("recurate-run.log"))
                        .mapToLong(f -> f.toFile().length()).sum();
            }
            assertThat(logBytes).as("the run's log after a %d s outage", OUTAGE_SECONDS).isLessThan(8L << 20);
            MultiBrokerIT.assertExactlyOnce(services.bootstrapServers(), services.registryUrl(), "out", 1);
            MultiBrokerIT.assertExactlyOnce(services.bootstrapServers(), services.registryUrl(), "out", 2);
        } finally {
            run.destroyForcibly();
            LoopIT.run("down", "--home", home.toString());
            if (registryBack != null) {
                registryBack.close();
            }
            if (restarted != null) {
                restarted.stop();
            }
        }
    }
}
