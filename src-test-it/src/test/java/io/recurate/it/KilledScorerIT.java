package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGKILL of the scorer at five points of a pass; the restarted scorer finishes it exactly once. */
@ExtendWith(ClusterExtension.class)
class KilledScorerIT {
    private static final int DOCUMENTS = 50_000;

    @Test
    void killedScorerLosesNoDocumentAndScoresNoneTwice(TestCluster cluster) throws Exception {
        Pipeline p = new Pipeline(cluster, "killed");
        List<String> ids = p.publishDocuments(DOCUMENTS);
        ModelVersion v1 = p.publishModel("v1", 1);
        Ledgers.start(cluster.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(), "filter",
                v1.getVersion(), 0.5f);
        Path stateDir = p.home.resolve("streams");
        List<Long> killedAt = new ArrayList<>();
        List<Process> started = new ArrayList<>();
        try {
            // Early enough that the last restart cannot finish the pass before its kill: the scorer commits once a
            // second, so the committed progress the test waits for trails the work by up to a second or two.
            for (double fraction : new double[] {0.05, 0.15, 0.25, 0.35, 0.45}) {
                Process scorer = start(cluster, p, stateDir, "run-" + killedAt.size());
                started.add(scorer);
                long input = awaitProgress(p, (long) (DOCUMENTS * fraction), scorer);
                scorer.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
                assertThat(scorer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                killedAt.add(input);
            }
            assertThat(latestState(p)).as("the kills must land before the pass is complete").isEqualTo(PassState.RUNNING);

            Process last = start(cluster, p, stateDir, "run-final");
            started.add(last);
            assertThat(last.waitFor(4, TimeUnit.MINUTES)).as("the restarted scorer finishes the pass").isTrue();
            assertThat(last.exitValue()).isZero();
        } finally {
            started.forEach(Process::destroyForcibly);
        }

        PassStatus status = p.awaitPass(1, PassState.SCORED, Duration.ofSeconds(30));
        ScorerIT.assertExactlyOnce(p.decisions(1), ids);
        assertThat(status.getCounts().getInput()).isEqualTo(DOCUMENTS);
        assertThat(status.getCounts().getKept() + status.getCounts().getRemoved()).isEqualTo(DOCUMENTS);
        assertThat(killedAt).allSatisfy(n -> assertThat(n).isLessThan(DOCUMENTS));
    }

    private static Process start(TestCluster cluster, Pipeline p, Path stateDir, String name) throws IOException {
        Path log = p.home.resolve(name + ".log");
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), ScorerProcess.class.getName(), cluster.bootstrapServers(),
                cluster.registryUrl(), p.plan.namespace(), "1", stateDir.toString(), "64")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until the committed progress of the pass counts at least {@code input} records. */
    private static long awaitProgress(Pipeline p, long input, Process scorer) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            long seen = p.committedInput(1);
            if (seen >= input) {
                return seen;
            }
            assertThat(scorer.isAlive()).as("scorer process is running").isTrue();
            Pipeline.sleep(50);
        }
        throw new AssertionError("The scorer did not reach " + input + " records in time");
    }

    private static PassState latestState(Pipeline p) {
        var passes = p.topics.passes();
        PassState state = null;
        for (var r : p.readAll(passes.name(), passes.keySerde().deserializer(), passes.valueSerde().deserializer())) {
            state = r.value().getState();
        }
        return state;
    }
}
