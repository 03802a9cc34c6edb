package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelCommandTest {
    @TempDir
    Path tmp;

    private Path labelledFile() throws Exception {
        Random random = new Random(3);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            boolean violating = i % 3 == 0;
            String word = violating ? List.of("casino", "lottery", "pills").get(random.nextInt(3))
                    : List.of("meeting", "invoice", "notes").get(random.nextInt(3));
            lines.add("{\"id\":\"d" + i + "\",\"text\":\"hello " + word + " see you\",\"label\":\""
                    + (violating ? "violating" : "acceptable") + "\"}");
        }
        lines.add("{broken json");
        Path file = tmp.resolve("labelled.jsonl");
        Files.write(file, lines);
        return file;
    }

    @Test
    void trainWritesABundleThatScoreUsesAndReportsQuality() throws Exception {
        Path data = labelledFile();
        Path bundle = tmp.resolve("bundle");
        String[] train = run("model", "train", "--data", data.toString(), "--out", bundle.toString(), "--buckets", "4096",
                "--model-version", "v1");
        assertThat(train[0]).isEqualTo("0");
        assertThat(train[1]).contains("Trained on").contains("Validation: ROC AUC").contains("malformed JSON=1");
        assertThat(bundle.resolve("manifest.json")).exists();
        assertThat(bundle.resolve("model.onnx")).exists();

        String[] score = run("model", "score", "--model", bundle.toString(), "--data", data.toString(), "--device", "cpu");
        assertThat(score[0]).as(score[2]).isEqualTo("0");
        assertThat(score[1]).contains("Scored 600 documents on cpu").contains("docs/s").contains("ROC AUC 1.0000");
    }

    @Test
    void scoringWithAMissingBundleIsAClearError() throws Exception {
        String[] score = run("model", "score", "--model", tmp.resolve("nope").toString(), "--data", labelledFile().toString());
        assertThat(score[0]).isNotEqualTo("0");
        assertThat(score[2]).contains("Not a model bundle").contains("nope");
    }

    private static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }
}
