package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a person sees: {@code run --sample --max-passes 2} in a real terminal (tmux, 110 columns) shows a
 * progress bar while a pass runs and ends with the table, and not one line of Kafka's clients; a run with stderr in
 * a file (one pass: what it prints is the same for every pass) has plain progress lines, no carriage return and no
 * Kafka warning. The screen is
 * kept in {@code target/console/screen.txt}.
 */
class ConsoleIT {
    /** A log line of a library, as the console layout prints it ("12:00:00.000 WARN  NetworkClient - ..."). */
    private static final Pattern KAFKA_LINE = Pattern.compile(
            "(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (WARN|ERROR|INFO) +(NetworkClient|Sender|StateDirectory|StreamThread|"
                    + "KafkaProducer|KafkaConsumer|ConsumerCoordinator|TransactionManager|AppInfoParser|ProducerConfig|"
                    + "ConsumerConfig|StreamsConfig|AdminClientConfig|KafkaStreams|StreamTask|ProcessorStateManager)\\b");
    private static final Pattern BAR = Pattern.compile("Pass [12] +\\d+% \\[");

    @Test
    void aRunInATerminalShowsProgressAndTheTableAndNoKafkaLine() throws Exception {
        assumeTrue(tool("tmux"), "tmux is not installed (.ci/run installs it)");
        Path dir = Files.createDirectories(Path.of("target", "console").toAbsolutePath());
        Path home = freshHome(dir.resolve("tty-home"));
        String session = "recurate-console-" + ProcessHandle.current().pid();
        String command = String.join(" ", java(home, 2).stream().map(ConsoleIT::quote).toList()) + "; echo EXIT=$?; sleep 300";
        // Through a script: the class path makes the command longer than a tmux message may be (16 KiB).
        Path script = dir.resolve("run-in-terminal.sh");
        Files.writeString(script, command + "\n");
        String started = sh("tmux", "new-session", "-d", "-s", session, "-x", "110", "-y", "40", "sh " + quote(script.toString()));
        assertThat(started).as("tmux started the session").isBlank();
        try {
            boolean sawBar = false;
            String screen = "";
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            while (System.nanoTime() < deadline && !screen.contains("EXIT=")) {
                Thread.sleep(300);
                screen = sh("tmux", "capture-pane", "-p", "-J", "-S", "-", "-t", session);
                List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
                if (!lines.isEmpty() && BAR.matcher(lines.get(lines.size() - 1)).find()) {
                    sawBar = true; // the bar is the last line of the screen while a pass runs
                }
            }
            Files.writeString(dir.resolve("screen.txt"), screen);
            assertThat(screen).as("the run ended").contains("EXIT=0");
            assertThat(sawBar).as("a progress bar was on screen during a pass:\n%s", screen).isTrue();
            assertThat(screen).contains("pass  model").contains("Wall time:");
            assertThat(KAFKA_LINE.matcher(screen).find()).as("a Kafka client line on the screen:\n%s", screen).isFalse();
            assertThat(screen).doesNotContain("org.apache.kafka");
            assertThat(Files.readString(home.resolve("logs").resolve("recurate-run.log")))
                    .as("Kafka's lines are in the log file instead").contains("org.apache.kafka");
        } finally {
            new ProcessBuilder("tmux", "kill-session", "-t", session).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRunWithStderrInAFileHasPlainLinesOnly() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "console").toAbsolutePath());
        Path home = freshHome(dir.resolve("file-home"));
        Path err = dir.resolve("stderr.txt");
        Process run = new ProcessBuilder(java(home, 1)).redirectError(err.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).start();
        assertThat(run.waitFor(6, TimeUnit.MINUTES)).as("the run ended").isTrue();
        String stderr = Files.readString(err);
        assertThat(run.exitValue()).as(stderr).isZero();
        assertThat(stderr).as("no carriage return or terminal control in a file").doesNotContain("\r").doesNotContain("\033");
        assertThat(stderr).containsPattern("(?m)^Pass 1 100% \\[");
        assertThat(KAFKA_LINE.matcher(stderr).find()).as("a Kafka client line in:\n%s", stderr).isFalse();
        assertThat(stderr).doesNotContainPattern("(?m)^\\S+ WARN ");
        assertThat(Files.readString(dir.resolve("stdout.txt"))).contains("pass  model");
    }

    private static List<String> java(Path home, int passes) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "run", "--sample", "--home", home.toString(),
                "--max-passes", Integer.toString(passes), "--metrics-port", "0");
    }

    /** A home with the sample corpus already fetched, so that nothing is downloaded. */
    private static Path freshHome(Path home) throws IOException {
        if (Files.exists(home)) {
            try (Stream<Path> all = Files.walk(home)) {
                all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path sample = Files.createDirectories(home.resolve("sample"));
        Path from = MailCorpus.sampleFolder();
        for (String name : List.of("spamassassin.jsonl", "constitution.jsonl")) {
            Files.copy(from.resolve(name), sample.resolve(name));
        }
        return home;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static boolean tool(String name) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + name).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
