package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.embedded.ProcessRecord;
import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker's lifecycle: a {@code run} killed with SIGKILL (its shutdown hook never runs) leaves no
 * broker behind, the next start opens the data folder again, and no second broker ever opens a folder a live
 * one holds (the message names its pid).
 */
class KilledRunIT {

    @Test
    void aKilledRunLeavesNoBrokerAndTheNextStartOpensTheFolder() throws Exception {
        Path home = Files.createDirectories(Path.of("target", "killed-run-" + System.nanoTime()).toAbsolutePath());
        Path constitution = home.resolve("constitution.jsonl");
        Files.write(constitution, LoopIT.constitutionLines(10, 10, 5));
        Path log = home.resolve("run.log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--corpus",
                MailCorpus.documents(300).toString(), "--constitution", constitution.toString(), "--home", home.toString(),
                "--max-passes", "3", "--metrics-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path pidFile = home.resolve("kafka").resolve("broker.pid");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline && !Files.readString(log).contains("Embedded Kafka broker ready")) {
                assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
                Thread.sleep(200);
            }
            ProcessHandle broker = ProcessRecord.parse(Files.readString(pidFile)).flatMap(ProcessRecord::live).orElseThrow();
            run.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(broker.onExit().get(60, TimeUnit.SECONDS).isAlive())
                    .as("the broker of a killed run stops on its own").isFalse();
        } finally {
            run.destroyForcibly();
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")))) {
            assertThat(again.isAlive()).isTrue();
            // While it runs, no second broker opens the same folder.
            assertThatThrownBy(() -> EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka"))))
                    .hasMessageContaining("is in use by pid " + again.pid())
                    .hasMessageContaining("recurate down");
        }
        assertThat(Optional.of(pidFile).filter(Files::exists)).as("the pid file goes with the broker").isEmpty();
    }
}
