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
    void everyCommandUsesTheNamespacesPlanAndADifferenceThatMattersSaysHowToFixIt() throws Exception {
        Result up = run("up", "--home", home.toString());
        assertThat(up.code).as(up.err).isZero();
        // A namespace made with 3 partitions (and explicit min.insync.replicas) by 'topics create'...
        Result create = run("topics", "create", "--home", home.toString(), "--namespace", "three", "--partitions", "3",
                "--min-insync-replicas", "1");
        assertThat(create.code).as(create.err).isZero();
        // ...is used as it is by a command given no --partitions (it used to demand 6 partitions and replication 1).
        Path corpus = home.resolve("c.jsonl");
        Files.writeString(corpus, "{\"id\": \"1\", \"text\": \"one\"}\n{\"id\": \"2\", \"text\": \"two\"}\n");
        Result publish = run("publish", "--home", home.toString(), "--namespace", "three", "--no-progress", corpus.toString());
        assertThat(publish.code).as(publish.err).isZero();
        assertThat(publish.out).contains("Published 2 documents");
        Result models = run("models", "list", "--home", home.toString(), "--namespace", "three");
        assertThat(models.code).as(models.err).isZero();
        // The replication default follows the cluster: one broker here, so 1.
        ClusterOptions options = CommandLine.populateCommand(new ClusterOptions(), "--namespace", "three");
        var plan = options.cluster(new EmbeddedServices(home).running().orElseThrow().bootstrapServers(), null).plan();
        assertThat(plan.replication()).isEqualTo((short) 1);
        assertThat(plan.partitions()).as("the existing ingest topic's").isEqualTo(3);
        // A partition count that differs from the namespace's topics is refused, with the fix.
        Result six = run("publish", "--home", home.toString(), "--namespace", "three", "--partitions", "6", "--no-progress",
                corpus.toString());
        assertThat(six.code).isNotZero();
        assertThat(six.err).contains("partitions is 3, the plan says 6").contains("--partitions 3");
        // More replicas than brokers is refused before anything is created.
        Result tooMany = run("topics", "create", "--home", home.toString(), "--namespace", "r3", "--replication", "3");
        assertThat(tooMany.code).isEqualTo(2);
        assertThat(tooMany.err).contains("--replication 3 needs at least 3 brokers; the cluster has 1");
    }

    @Test
    void upAfterABrokerCrashStartsAfreshAndOrphansNothing() throws Exception {
        assertThat(run("up", "--home", home.toString()).code).isZero();
        EmbeddedServices.State first = new EmbeddedServices(home).running().orElseThrow();
        ProcessHandle broker = ProcessHandle.of(first.brokerPid()).orElseThrow();
        broker.destroyForcibly();
        broker.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(new EmbeddedServices(home).running()).as("a dead broker is not running").isEmpty();

        Result again = run("up", "--home", home.toString());
        assertThat(again.code).as(again.err).isZero();
        assertThat(again.out).contains("Started");
        EmbeddedServices.State second = new EmbeddedServices(home).running().orElseThrow();
        assertThat(second.registryPid()).isNotEqualTo(first.registryPid());
        assertThat(ProcessHandle.of(first.registryPid()).map(ProcessHandle::isAlive).orElse(false))
                .as("the first registry was stopped, not orphaned").isFalse();
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
