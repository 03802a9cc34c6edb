package io.recurate.inspect.audit;

import io.recurate.model.data.Reservoir;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.schemas.Decision;
import io.recurate.schemas.ScoredDocument;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A stratified random sample of one pass's decisions: documents are grouped by decision and score band,
 * each group keeps a uniform reservoir, and the requested size is spread evenly over the groups (a
 * group smaller than its share gives all it has). Every row carries its stratum's population, so the
 * filled file alone is enough to estimate precision and recall.
 */
public final class AuditSample {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One sampled document, a row of the review file. */
    public record Row(String id, int pass, String modelVersion, Decision decision, float score, Stratum stratum,
                      long stratumPopulation, int stratumSample, String text) {
    }

    private final int size;
    private final int bands;
    private final Random random;
    private final long seed;
    private final Map<Stratum, Long> population = new TreeMap<>(Comparator.comparing(Stratum::decision).thenComparing(Stratum::band));
    private final Map<Stratum, Reservoir<ScoredDocument>> reservoirs = new LinkedHashMap<>();

    public AuditSample(int size, int bands, long seed) {
        if (size <= 0 || bands <= 0) {
            throw new IllegalArgumentException("--size and --bands must be positive");
        }
        this.size = size;
        this.bands = bands;
        this.random = new Random(seed);
        this.seed = seed;
    }

    /** Offers one decision of the pass (a reservoir of the whole size per stratum, seeded by stratum). */
    public void offer(ScoredDocument d) {
        Stratum s = Stratum.of(d.getDecision(), d.getScore(), bands);
        population.merge(s, 1L, Long::sum);
        reservoirs.computeIfAbsent(s, k -> new Reservoir<>(size, seed * 1_000_003L + k.decision().ordinal() * 10_007L + k.band()))
                .offer(d);
    }

    /** Documents per stratum, ordered by decision and band. */
    public Map<Stratum, Long> population() {
        return java.util.Collections.unmodifiableMap(population);
    }

    /** The sample, rows of a stratum together, strata ordered by decision and band. */
    public List<Row> rows() {
        if (size < population.size()) {
            // A stratum without a row would vanish from the review file, and its documents from every estimate.
            throw new IllegalArgumentException("--size " + size + " is smaller than the " + population.size()
                    + " non-empty strata (decision x score band) of this pass: every stratum needs a row, so give "
                    + "--size " + population.size() + " or more, or fewer --bands");
        }
        Map<Stratum, Integer> allocation = allocate();
        List<Row> rows = new ArrayList<>();
        for (var e : population.entrySet()) {
            List<ScoredDocument> reservoir = new ArrayList<>(reservoirs.get(e.getKey()).items());
            Collections.shuffle(reservoir, random);
            int n = allocation.get(e.getKey());
            for (ScoredDocument d : reservoir.subList(0, n)) {
                rows.add(new Row(d.getDocument().getId(), d.getPass(), d.getModelVersion(), d.getDecision(), d.getScore(),
                        e.getKey(), e.getValue(), n, d.getDocument().getText()));
            }
        }
        return rows;
    }

    /** Equal shares over the strata; what a small stratum cannot use goes to the others. */
    private Map<Stratum, Integer> allocate() {
        Map<Stratum, Integer> out = new LinkedHashMap<>();
        population.keySet().forEach(s -> out.put(s, 0));
        int left = size;
        while (left > 0) {
            List<Stratum> open = population.entrySet().stream().filter(e -> out.get(e.getKey()) < e.getValue())
                    .map(Map.Entry::getKey).toList();
            if (open.isEmpty()) {
                break;
            }
            int share = Math.max(1, left / open.size());
            for (Stratum s : open) {
                int add = (int) Math.min(Math.min(share, left), population.get(s) - out.get(s));
                out.merge(s, add, Integer::sum);
                left -= add;
                if (left == 0) {
                    break;
                }
            }
        }
        return out;
    }

    /** The review file: one JSON object per row with {@code "verdict": null} for the reviewer to fill. */
    public static void writeReviewFile(Path file, List<Row> rows) {
        write(file, rows, r -> {
            Map<String, Object> m = decisionOf(r);
            m.put("verdict", null);
            m.put("note", null);
            m.put("text", r.text());
            return m;
        });
    }

    /**
     * A blind review: the review file holds id and text only, in the order given (pass it through
     * {@link #blindOrder}, so that the strata are mixed), and the reviewer judges the text without the
     * model's decision or score in view; those go to the key file, which {@code audit score --key} joins
     * back by id.
     */
    public static void writeBlindFiles(Path reviewFile, Path keyFile, List<Row> rows) {
        write(reviewFile, rows, r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("pass", r.pass());
            m.put("key_file", keyFile.getFileName().toString());
            m.put("verdict", null);
            m.put("note", null);
            m.put("text", r.text());
            return m;
        });
        write(keyFile, rows, AuditSample::decisionOf);
    }

    /** The rows in a random order that mixes the strata (rows grouped by stratum give the decision away). */
    public static List<Row> blindOrder(List<Row> rows, long seed) {
        List<Row> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(seed * 31 + 7));
        return shuffled;
    }

    private static Map<String, Object> decisionOf(Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("pass", r.pass());
        m.put("model_version", r.modelVersion());
        m.put("decision", r.decision().name().toLowerCase(java.util.Locale.ROOT));
        m.put("score", r.score());
        m.put("stratum", r.stratum().toString());
        m.put("stratum_population", r.stratumPopulation());
        m.put("stratum_sample", r.stratumSample());
        return m;
    }

    private static void write(Path file, List<Row> rows, java.util.function.Function<Row, Map<String, Object>> fields) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Row r : rows) {
                w.write(JSON.writeValueAsString(fields.apply(r)));
                w.newLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
