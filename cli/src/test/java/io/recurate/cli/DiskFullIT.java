package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The scorer's state folder fills up mid-pass (a small tmpfs the test mounts, filled by a file): the pass is
 * recorded FAILED and the run ends naming the first cause, the full disk. Once the file is gone, the next
 * {@code run} starts the failed pass again from its source and finishes it exactly once, with no manual step.
 */
class DiskFullIT {

    @Test
    void aPassThatFailedOnAFullDiskIsResumedByTheNextRunOnceThereIsRoom() throws Exception {
        Path home = Files.createDirectories(Path.of("target", "disk-full-" + System.nanoTime()).toAbsolutePath());
        Path state = Files.createDirectories(home.resolve("streams")); // the scorer's default state folder
        assumeTrue(mount(state), "mounting a tmpfs needs root (CAP_SYS_ADMIN): skipping the full-disk test");
        try {
            String[] up = LoopIT.run("up", "--home", home.toString());
            assertThat(up[0]).as(up[2]).isEqualTo("0");
            EmbeddedServices.State services = new EmbeddedServices(home).running().orElseThrow();
            Path constitution = home.resolve("constitution.jsonl");
            Files.write(constitution, LoopIT.constitutionLines(10, 10, 13));
            String[] args = {"run", "--home", home.toString(), "--namespace", "full", "--corpus",
                    MailCorpus.documents(LoopIT.DOCUMENTS).toString(), "--constitution", constitution.toString(),
                    "--max-passes", "1"};
            List<Child> children = new ArrayList<>();
            Child first = Child.start(home, args);
            children.add(first);
            first.awaitLog("Pass 1: scoring", Duration.ofMinutes(3), children);
            Path filler = state.resolve("filler");
            fill(filler);
            assertThat(first.process().waitFor(5, TimeUnit.MINUTES)).as("the run ends" + Child.logs(children)).isTrue();
            assertThat(first.process().exitValue()).as(first.log()).isNotZero();
            assertThat(first.log()).as("the first cause is named").contains("No space left on device");

            Files.delete(filler); // room again
            Child second = Child.start(home, args);
            children.add(second);
            assertThat(second.process().waitFor(5, TimeUnit.MINUTES)).as("the second run ends" + Child.logs(children))
                    .isTrue();
            assertThat(second.process().exitValue()).as(second.log()).isZero();
            assertThat(second.log()).contains("Pass 1 (v0");
            MultiBrokerIT.assertExactlyOnce(services.bootstrapServers(), services.registryUrl(), "full", 1);
        } finally {
            LoopIT.run("down", "--home", home.toString());
            new ProcessBuilder("umount", "-l", state.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static boolean mount(Path dir) throws Exception {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** Writes until the file system refuses: nothing is left for the scorer's stores. */
    private static void fill(Path file) {
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }
    }
}
