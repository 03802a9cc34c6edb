package io.recurate.inspect.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A review file (written by {@code recurate audit}) that reviewers fill through the review page. Each verdict is
 * written at once, whole and atomically (a temporary file moved over the old one), under a lock file, after reading
 * the file again: a crash or a closed tab loses nothing, and two review processes on one file lose nothing of each
 * other's. Each reviewer's verdict and note sit in the row's {@code reviews} object; the row's {@code verdict}, which
 * {@code audit score} counts, is the reviewers' majority, a tie going to the latest verdict.
 */
public final class ReviewFile {
    private static final Set<String> VERDICTS = Set.of("acceptable", "violating");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private List<ObjectNode> rows;

    private ReviewFile(Path file, List<ObjectNode> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Whether {@code v} is a verdict: acceptable or violating (null, blank, "skip" are not). */
    public static boolean isVerdict(String v) {
        return v != null && VERDICTS.contains(v);
    }

    /** Reads and checks the file: every row an object with an id and a text, no id twice. */
    public static ReviewFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No such review file: " + file);
        }
        return new ReviewFile(file, read(file));
    }

    public Path path() {
        return file;
    }

    /** The rows as last read or written, in the file's order. */
    public synchronized List<ObjectNode> rows() {
        return rows.stream().map(ObjectNode::deepCopy).toList();
    }

    /** A blind review: its rows carry no stratum (the key file has them). */
    public synchronized boolean blind() {
        return !rows.isEmpty() && !rows.get(0).has("stratum");
    }

    /**
     * Records {@code reviewer}'s verdict on document {@code id} (null: takes it back) with an optional note, and
     * writes the file.
     */
    public synchronized void record(String reviewer, String id, String verdict, String note) {
        String v = verdict == null || verdict.isBlank() ? null : verdict.trim().toLowerCase(Locale.ROOT);
        if (v != null && !isVerdict(v)) {
            throw new IllegalArgumentException("verdict '" + verdict + "' is neither acceptable nor violating");
        }
        if (reviewer == null || reviewer.isBlank()) {
            throw new IllegalArgumentException("a verdict needs a reviewer name");
        }
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock()) {
            List<ObjectNode> current = read(file); // another process may have written since
            ObjectNode row = current.stream().filter(r -> r.path("id").asText().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("document '" + id + "' is not in " + file));
            ObjectNode reviews = row.has("reviews") && row.get("reviews").isObject() ? (ObjectNode) row.get("reviews")
                    : row.putObject("reviews");
            String cleanNote = note == null || note.isBlank() ? null : note.strip();
            if (v == null && cleanNote == null) {
                reviews.remove(reviewer);
            } else {
                ObjectNode review = reviews.putObject(reviewer);
                review.put("verdict", v);
                review.put("note", cleanNote);
                review.put("at", Instant.now().toString());
            }
            row.put("verdict", consensus(reviews));
            row.put("note", latestNote(reviews));
            write(current);
            rows = current;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The majority verdict of the reviews; a tie goes to the latest of the tied verdicts; none: null. */
    static String consensus(JsonNode reviews) {
        int violating = 0;
        int acceptable = 0;
        String latest = null;
        String latestAt = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = reviews.fields(); it.hasNext(); ) {
            JsonNode r = it.next().getValue();
            String v = r.path("verdict").asText("");
            if (!isVerdict(v)) {
                continue;
            }
            if (v.equals("violating")) {
                violating++;
            } else {
                acceptable++;
            }
            String at = r.path("at").asText("");
            if (at.compareTo(latestAt) >= 0) {
                latestAt = at;
                latest = v;
            }
        }
        if (violating == acceptable) {
            return latest;
        }
        return violating > acceptable ? "violating" : "acceptable";
    }

    private static String latestNote(JsonNode reviews) {
        String note = null;
        String latestAt = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = reviews.fields(); it.hasNext(); ) {
            JsonNode r = it.next().getValue();
            String at = r.path("at").asText("");
            if (r.hasNonNull("note") && at.compareTo(latestAt) >= 0) {
                latestAt = at;
                note = r.get("note").asText();
            }
        }
        return note;
    }

    private void write(List<ObjectNode> content) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (ObjectNode row : content) {
                w.write(JSON.writeValueAsString(row));
                w.newLine();
            }
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true); // on disk before it replaces the old file
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<ObjectNode> read(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        AuditEstimate.forEachRow(file, (row, lineNo) -> {
            if (!row.isObject() || !row.hasNonNull("id") || !row.has("text")) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": no id or text: not a review file written by "
                        + "'recurate audit'");
            }
            if (!ids.add(row.get("id").asText())) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": id '" + row.get("id").asText() + "' is there twice");
            }
            out.add((ObjectNode) row);
        });
        return out;
    }
}
