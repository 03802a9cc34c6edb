package io.recurate.inspect.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.schemas.Decision;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Turns a filled review file into the pass's measured precision, recall, false-positive rate and the
 * violating share of what it kept. Each stratum's violating share gets a Jeffreys Beta(x + ½, n − x + ½)
 * posterior; the metrics are computed from draws of all strata together and weighted by stratum
 * population, so the interval stays honest when a stratum's reviewers saw no violation at all.
 */
public final class AuditEstimate {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One metric: the point estimate and the central interval. */
    public record Interval(double estimate, double low, double high) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.4f  [%.4f, %.4f]", estimate, low, high);
        }
    }

    /** What reviewers said in one stratum. */
    public record StratumVerdicts(Stratum stratum, long population, int sampled, int reviewed, int violating) {
    }

    /** The result. */
    public record Result(int rows, int reviewed, int invalid, List<StratumVerdicts> strata, double confidence,
                         Interval precision, Interval recall, Interval falsePositiveRate, Interval violatingInKept,
                         List<String> warnings, List<ReviewerAgreement.Pair> agreement) {

        public Map<String, Object> toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rows", rows);
            out.put("reviewed", reviewed);
            out.put("invalid_verdicts", invalid);
            out.put("confidence", confidence);
            out.put("precision", json(precision));
            out.put("recall", json(recall));
            out.put("false_positive_rate", json(falsePositiveRate));
            out.put("violating_fraction_kept", json(violatingInKept));
            out.put("strata", strata.stream().map(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stratum", s.stratum().toString());
                m.put("population", s.population());
                m.put("reviewed", s.reviewed());
                m.put("violating", s.violating());
                return m;
            }).toList());
            out.put("agreement", agreement.stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("reviewers", List.of(p.first(), p.second()));
                m.put("documents", p.documents());
                m.put("observed", p.observed());
                m.put("cohens_kappa", Double.isNaN(p.kappa()) ? null : p.kappa());
                return m;
            }).toList());
            out.put("warnings", warnings);
            return out;
        }

        private static Map<String, Object> json(Interval i) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("estimate", Double.isNaN(i.estimate()) ? null : i.estimate());
            m.put("low", Double.isNaN(i.low()) ? null : i.low());
            m.put("high", Double.isNaN(i.high()) ? null : i.high());
            return m;
        }
    }

    private AuditEstimate() {
    }

    public static Result score(Path file, double confidence, int draws, long seed) {
        return score(file, null, confidence, draws, seed);
    }

    /**
     * @param key the key file of a blind review (decision, score and stratum by id), or null when the
     *            review file carries them itself
     */
    public static Result score(Path file, Path key, double confidence, int draws, long seed) {
        Map<String, JsonNode> keyRows = key == null ? Map.of() : readKey(key);
        Map<Stratum, long[]> strata = new TreeMap<>(Comparator.comparing(Stratum::decision).thenComparing(Stratum::band));
        int[] counts = new int[3]; // rows, reviewed, invalid
        List<String> warnings = new java.util.ArrayList<>();
        List<Map<String, String>> reviewerVerdicts = new java.util.ArrayList<>();
        forEachRow(file, (row, lineNo) -> {
            counts[0]++;
            Map<String, String> byReviewer = new java.util.HashMap<>();
            row.path("reviews").fields().forEachRemaining(e -> {
                String v = e.getValue().path("verdict").asText("");
                if (v.equals("acceptable") || v.equals("violating")) {
                    byReviewer.put(e.getKey(), v);
                }
            });
            if (byReviewer.size() > 1) {
                reviewerVerdicts.add(byReviewer);
            }
            JsonNode design = row.has("stratum") ? row : designOf(row, keyRows, key, file, lineNo);
            if (design.path("stratum").isMissingNode() || design.path("stratum_population").isMissingNode()) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": no stratum or stratum_population: "
                        + "not a file written by 'recurate audit'");
            }
            Stratum s = Stratum.parse(design.get("stratum").asText());
            long[] c = strata.computeIfAbsent(s, k -> new long[4]); // population, sampled, reviewed, violating
            c[0] = design.get("stratum_population").asLong();
            c[1]++;
            JsonNode verdict = row.path("verdict");
            if (verdict.isMissingNode() || verdict.isNull() || verdict.asText().isBlank()) {
                return;
            }
            String v = verdict.asText().trim().toLowerCase(Locale.ROOT);
            if (!v.equals("violating") && !v.equals("acceptable")) {
                if (++counts[2] <= 5) {
                    warnings.add(file + ":" + lineNo + ": verdict '" + verdict.asText() + "' is neither acceptable nor violating; not counted");
                }
                return;
            }
            counts[1]++;
            c[2]++;
            if (v.equals("violating")) {
                c[3]++;
            }
        });
        int rows = counts[0];
        int reviewed = counts[1];
        int invalid = counts[2];
        List<StratumVerdicts> verdicts = strata.entrySet().stream().map(e -> new StratumVerdicts(e.getKey(), e.getValue()[0],
                (int) e.getValue()[1], (int) e.getValue()[2], (int) e.getValue()[3])).toList();
        for (StratumVerdicts s : verdicts) {
            if (s.reviewed() == 0) {
                warnings.add("Stratum " + s.stratum() + " (" + s.population() + " documents) has no verdicts: "
                        + "its violating share is taken as unknown (the Jeffreys prior Beta(1/2, 1/2)), which widens "
                        + "every interval");
            }
        }
        RandomGenerator rng = new Well19937c(seed);
        double[][] samples = new double[4][draws];
        for (int d = 0; d < draws; d++) {
            double[] m = metrics(verdicts, s -> new BetaDistribution(rng, s.violating() + 0.5, s.reviewed() - s.violating() + 0.5).sample());
            for (int k = 0; k < 4; k++) {
                samples[k][d] = m[k];
            }
        }
        double[] point = metrics(verdicts, s -> s.reviewed() == 0 ? 0.5 : (double) s.violating() / s.reviewed());
        Interval[] intervals = new Interval[4];
        for (int k = 0; k < 4; k++) {
            double[] sorted = Arrays.stream(samples[k]).filter(x -> !Double.isNaN(x)).sorted().toArray();
            double lo = sorted.length == 0 ? Double.NaN : sorted[(int) Math.floor((1 - confidence) / 2 * (sorted.length - 1))];
            double hi = sorted.length == 0 ? Double.NaN : sorted[(int) Math.ceil((1 + confidence) / 2 * (sorted.length - 1))];
            intervals[k] = new Interval(point[k], lo, hi);
        }
        return new Result(rows, reviewed, invalid, verdicts, confidence, intervals[0], intervals[1], intervals[2], intervals[3],
                warnings, ReviewerAgreement.of(reviewerVerdicts));
    }

    /** The key row of a blind review row, found by id. */
    private static JsonNode designOf(JsonNode row, Map<String, JsonNode> keyRows, Path key, Path file, int lineNo) {
        if (key == null) {
            String named = row.path("key_file").asText("");
            throw new IllegalArgumentException(file + ":" + lineNo + (named.isEmpty()
                    ? ": no stratum: not a file written by 'recurate audit' (or a blind review: give its key with --key)"
                    : ": a blind review row: give its key with --key " + named));
        }
        JsonNode design = keyRows.get(row.path("id").asText());
        if (design == null) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": id '" + row.path("id").asText() + "' is not in the key "
                    + key + " (a key of another audit?)");
        }
        return design;
    }

    private static Map<String, JsonNode> readKey(Path key) {
        Map<String, JsonNode> out = new java.util.HashMap<>();
        forEachRow(key, (row, lineNo) -> {
            if (!row.has("id") || !row.has("stratum")) {
                throw new IllegalArgumentException(key + ":" + lineNo + ": no id or stratum: not a key written by "
                        + "'recurate audit --blind'");
            }
            out.put(row.get("id").asText(), row);
        });
        return out;
    }

    interface RowHandler {
        void accept(JsonNode row, int lineNo);
    }

    /** Every non-blank line of a JSONL file as JSON; a line that is not JSON is named with its number. */
    static void forEachRow(Path file, RowHandler handler) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": not a JSON object: " + e.getMessage());
                }
                handler.accept(row, lineNo);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {precision, recall, false-positive rate, violating share of kept} for given per-stratum violating shares. */
    private static double[] metrics(List<StratumVerdicts> strata, java.util.function.ToDoubleFunction<StratumVerdicts> share) {
        double vRemoved = 0;
        double nRemoved = 0;
        double vKept = 0;
        double nKept = 0;
        for (StratumVerdicts s : strata) {
            double v = s.population() * share.applyAsDouble(s);
            if (s.stratum().decision() == Decision.REMOVED) {
                vRemoved += v;
                nRemoved += s.population();
            } else {
                vKept += v;
                nKept += s.population();
            }
        }
        double aRemoved = nRemoved - vRemoved;
        double aKept = nKept - vKept;
        return new double[] {ratio(vRemoved, nRemoved), ratio(vRemoved, vRemoved + vKept), ratio(aRemoved, aRemoved + aKept),
                ratio(vKept, nKept)};
    }

    private static double ratio(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }
}
