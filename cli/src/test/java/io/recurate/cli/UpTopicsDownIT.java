package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The first steps of the README on a fresh folder: up, topics create, topics describe, down. */
class UpTopicsDownIT {
    private final Path home = Path.of("target", "it-home-" + System.nanoTime()).toAbsolutePath();

    @AfterEach
    void stopWhateverIsLeft() {
        run("down", "--home", home.toString());
    }

    @Test
    void upThenTopicsCreateThenDownLeavesNothingRunning() throws Exception {
        Result up = run("up", "--home", home.toString());
        assertThat(up.code).as(up.err).isZero();
        assertThat(up.out).contains("Kafka bootstrap").contains("Schema registry");
        EmbeddedServices.State state = new EmbeddedServices(home).running().orElseThrow();

        Result again = run("up", "--home", home.toString());
        assertThat(again.out).contains("Already running").contains(state.bootstrapServers());

        Result create = run("topics", "create", "--home", home.toString(), "--pass", "1");
        assertThat(create.code).as(create.err).isZero();
        assertThat(create.out).contains("recurate.docs.ingest").contains("created")
                .contains("schema recurate.pass.1.kept-value");

        Result describe = run("topics", "describe", "--home", home.toString());
        assertThat(describe.code).as(describe.out + describe.err).isZero();
        assertThat(describe.out).contains("recurate.pass.1.removed").doesNotContain("(missing)");

        Result down = run("down", "--home", home.toString());
        assertThat(down.code).isZero();
        assertThat(down.out).contains("Stopped");
        assertThat(ProcessHandle.of(state.brokerPid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(state.registryPid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.exists(home.resolve("kafka/data/meta.properties"))).as("data stays after down").isTrue();
    }

    @Test
    void commandsWithoutAClusterSayHowToGetOne() {
        Result create = run("topics", "create", "--home", home.toString());
        assertThat(create.code).isEqualTo(2);
        assertThat(create.err).contains("--bootstrap-servers").contains("recurate up");
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
