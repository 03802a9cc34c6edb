package io.recurate.cli;

import io.recurate.service.ServiceHost;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A command whose JVM runs out of memory ends with exit code 70 and says what to do, instead of
 * living on with its main thread dead (as a trainer did: the loop then waited for it for ever).
 */
class OutOfMemoryIT {
    private static final Path CORPUS = MailCorpus.documents(LoopIT.DOCUMENTS);

    @Test
    void aJvmOutOfMemoryEndsTheProcessWithExitCode70AndAHint() throws Exception {
        Path dir = Path.of("target", "oom-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        Path log = dir.resolve("train.log");
        // 2^21 buckets x 32 dimensions is a 256 MB table: it cannot fit a 200 MB heap.
        Process train = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Xmx200m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "model", "train",
                "--data", CORPUS.toString(), "--out", dir.resolve("bundle").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(train.waitFor(2, TimeUnit.MINUTES)).as("the process ended").isTrue();
            assertThat(train.exitValue()).as(Files.readString(log)).isEqualTo(ServiceHost.EXIT_FATAL);
            assertThat(Files.readString(log)).contains("recurate: fatal java.lang.OutOfMemoryError")
                    .contains("RECURATE_JAVA_OPTS=-Xmx");
            assertThat(dir.resolve("bundle")).as("no bundle half written").doesNotExist();
        } finally {
            train.destroyForcibly();
        }
    }
}
