package io.recurate.curation.ingest;

import io.recurate.corpus.BadInput;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** What a publish did: documents published, duplicates and bad records by cause. */
public final class PublishSummary {
    private final Map<BadInput.Cause, Long> skipped = new EnumMap<>(BadInput.Cause.class);
    private long files;
    private long published;
    private long duplicates;
    private long conflicts;
    private long bytes;
    private long startNanos = System.nanoTime();
    private double seconds;

    void file() {
        files++;
    }

    void published(long documentBytes) {
        published++;
        bytes += documentBytes;
    }

    void duplicate() {
        duplicates++;
    }

    void conflict() {
        conflicts++;
    }

    void skipped(BadInput.Cause cause) {
        skipped.merge(cause, 1L, Long::sum);
    }

    void finished() {
        seconds = (System.nanoTime() - startNanos) / 1e9;
    }

    public long files() {
        return files;
    }

    public long published() {
        return published;
    }

    public long duplicates() {
        return duplicates;
    }

    /** Documents whose id was published before with a different text: not published (the first stays). */
    public long conflicts() {
        return conflicts;
    }

    public long bytes() {
        return bytes;
    }

    public double seconds() {
        return seconds;
    }

    public Map<BadInput.Cause, Long> skipped() {
        return Map.copyOf(skipped);
    }

    public long skippedTotal() {
        return skipped.values().stream().mapToLong(Long::longValue).sum();
    }

    public void print(PrintWriter out, String topic) {
        double s = Math.max(seconds, 1e-9);
        out.printf("Published %,d documents (%.1f MB of text) from %d file(s) to %s in %.1f s: %,.0f docs/s, %.1f MB/s%n",
                published, bytes / 1e6, files, topic, seconds, published / s, bytes / 1e6 / s);
        out.printf("Duplicates (id already in the topic or repeated in the input), not published again: %,d%n", duplicates);
        if (conflicts > 0) {
            out.printf("Same id as an earlier document but a different text, not published (the first is kept): %,d%n",
                    conflicts);
        }
        out.printf("Skipped: %,d%s%n", skippedTotal(), skipped.isEmpty() ? "" : " (" + skipped.entrySet().stream()
                .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", ")) + ")");
        out.flush();
    }
}
