package io.recurate.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A CLI command run as its own process (its own JVM, as a user runs it), its output in a log file. */
record Child(String name, Process process, Path logFile) {
    static Child start(Path home, String... args) throws Exception {
        return named(args[0], home, args);
    }

    /** Started as {@code name} (two scorers, say), its log {@code <home>/<name>-<nanos>.log}. */
    static Child named(String name, Path home, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--metrics-port", "0"));
        Files.createDirectories(home);
        Path log = home.resolve(name + "-" + System.nanoTime() + ".log");
        return new Child(name, new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start(), log);
    }

    String log() throws java.io.IOException {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
    }

    void awaitLog(String line, Duration timeout, List<Child> all) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " never logged \"" + line + "\" within " + timeout + logs(all));
            }
            failIfOneDied(all);
            Thread.sleep(100);
        }
    }

    static void failIfOneDied(List<Child> children) {
        for (Child c : children) {
            if (!c.process.isAlive()) {
                throw new AssertionError("The " + c.name + " exited with " + c.process.exitValue() + logs(children));
            }
        }
    }

    /** The last lines of each log, without the client's reconnection chatter. */
    static String logs(List<Child> children) {
        StringBuilder out = new StringBuilder();
        for (Child c : children) {
            try {
                List<String> lines = Files.readAllLines(c.logFile).stream()
                        .filter(l -> !l.contains("NetworkClient")).toList();
                out.append("\n--- ").append(c.logFile.getFileName()).append(" (last 30 lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
            } catch (java.io.IOException e) {
                out.append("\n--- ").append(c.logFile).append(": ").append(e.getMessage());
            }
        }
        return out.toString();
    }
}
