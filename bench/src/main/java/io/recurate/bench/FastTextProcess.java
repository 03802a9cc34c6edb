package io.recurate.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's fastText binary, the anchor of the benchmarks, and reads what it prints. */
final class FastTextProcess {
    private FastTextProcess() {
    }

    /** One training or input line in fastText's format; whitespace collapsed, as fastText reads words. */
    static String line(boolean violating, String text) {
        return "__label__" + (violating ? "violating" : "acceptable") + " " + text.replaceAll("\\s+", " ").trim() + "\n";
    }

    static void write(Path file, Iterable<String> lines) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String l : lines) {
                w.write(l);
            }
        }
    }

    /** Violating probabilities from {@code fasttext predict-prob MODEL FILE 2} output. */
    static float[] readScores(Path predictions) throws IOException {
        List<String> lines = Files.readAllLines(predictions, StandardCharsets.UTF_8);
        float[] scores = new float[lines.size()];
        for (int i = 0; i < scores.length; i++) {
            String[] parts = lines.get(i).trim().split("\\s+");
            float violating = Float.NaN;
            for (int k = 0; k + 1 < parts.length; k += 2) {
                float p = Float.parseFloat(parts[k + 1]);
                violating = parts[k].equals("__label__violating") ? p : (Float.isNaN(violating) ? 1 - p : violating);
            }
            scores[i] = violating;
        }
        return scores;
    }

    /** Runs a command, its stdout to {@code stdout} (or discarded); fails with a hint when fastText is missing. */
    static void run(List<String> command, Path stdout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot run '" + command.get(0) + "' (install fastText: apt-get install "
                    + "fasttext, or pass --fasttext PATH): " + e.getMessage(), e);
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
