package io.recurate.inspect.report;

import io.recurate.curation.loop.GoldLabels;
import io.recurate.curation.loop.PassTally;
import io.recurate.inspect.export.CurationHistory;
import io.recurate.topics.TopicScan;
import io.recurate.curation.loop.PassReport;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import io.recurate.schemas.SourceMode;
import io.recurate.topics.RecurateTopics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the report shows, read from the namespace's topics: per pass counts, score histograms and
 * (with labels) recall and false-positive rate; model lineage; the theory's prediction; convergence.
 */
public record CurationReport(String namespace, Instant generatedAt, String labelField, long corpusDocuments,
                             long corpusAcceptable, long corpusViolating, List<PassSection> passes,
                             List<ModelVersion> models, Theory theory, double delta, Integer convergedAt) {

    /** One scored pass. */
    public record PassSection(PassStatus status, PassReport counts, ScoreHistogram histogram) {
    }

    /**
     * The theory's prediction with r and f held at what the first pass measured: violating odds fall by
     * ρ = (1 − r)/(1 − f) per nested pass, benign retention is (1 − f)^t, and pass t removes
     * r·v + f·(1 − v) of a source whose violating share is v.
     */
    public record Theory(double r, double f, double rho, double[] violatingInKept, double[] removedFraction,
                         double[] benignRetention) {
    }

    public boolean labelled() {
        return corpusAcceptable + corpusViolating > 0;
    }

    public static CurationReport build(Map<String, Object> kafkaConfig, RecurateTopics topics, String labelField, double delta) {
        CurationHistory history = CurationHistory.load(kafkaConfig, topics);
        GoldLabels labels = new GoldLabels(labelField);
        long[] corpus = new long[3];
        TopicScan.read(kafkaConfig, topics.ingest().name(), topics.ingest().valueSerde().deserializer(), (Document d) -> {
            corpus[0]++;
            Boolean violating = labels.violating(d.getMetadata());
            if (violating != null) {
                corpus[violating ? 2 : 1]++;
            }
        });
        List<PassSection> sections = new ArrayList<>();
        java.util.Set<Long> previousRemoved = java.util.Set.of();
        for (PassStatus status : history.scoredPasses()) {
            PassTally tally = new PassTally(labels, previousRemoved);
            sections.add(section(kafkaConfig, topics, status, tally));
            previousRemoved = tally.removedNow();
        }
        Integer converged = sections.stream().filter(s -> (s.status().getMode() == SourceMode.NESTED
                        ? s.counts().removedFraction() : s.counts().changedFraction()) < delta)
                .map(s -> s.status().getPass()).findFirst().orElse(null);
        Theory theory = theory(sections, corpus[1], corpus[2]);
        return new CurationReport(topics.plan().namespace(), Instant.now(), labelField, corpus[0], corpus[1], corpus[2],
                sections, history.models(), theory, delta, converged);
    }

    private static PassSection section(Map<String, Object> kafkaConfig, RecurateTopics topics, PassStatus status,
                                       PassTally tally) {
        ScoreHistogram histogram = new ScoreHistogram(20);
        for (var topic : List.of(topics.kept(status.getPass()), topics.removed(status.getPass()))) {
            TopicScan.read(kafkaConfig, topic.name(), topic.valueSerde().deserializer(), (ScoredDocument s) -> {
                histogram.add(s.getScore(), s.getDecision());
                tally.accept(s);
            });
        }
        double seconds = status.getStartedAt() != null && status.getFinishedAt() != null
                ? (status.getFinishedAt().toEpochMilli() - status.getStartedAt().toEpochMilli()) / 1e3 : Double.NaN;
        return new PassSection(status, tally.report(status, seconds), histogram);
    }

    private static Theory theory(List<PassSection> sections, long acceptable, long violating) {
        if (sections.isEmpty() || !sections.get(0).counts().labelled() || acceptable == 0) {
            return null;
        }
        PassReport first = sections.get(0).counts();
        double r = first.recall();
        double f = first.falsePositiveRate();
        double rho = (1 - r) / (1 - f);
        boolean nested = sections.get(0).status().getMode() == SourceMode.NESTED;
        int n = sections.size();
        double[] v = new double[n];
        double[] removed = new double[n];
        double[] retention = new double[n];
        double odds = (double) violating / acceptable;
        double share = (double) violating / (violating + acceptable);
        for (int t = 0; t < n; t++) {
            // Full mode rescores the whole corpus every pass: nothing compounds, each pass is the first.
            removed[t] = r * share + f * (1 - share);
            double nextOdds = odds * rho;
            v[t] = nextOdds / (1 + nextOdds);
            retention[t] = nested ? Math.pow(1 - f, t + 1) : 1 - f;
            if (nested) {
                odds = nextOdds;
                share = v[t];
            }
        }
        return new Theory(r, f, rho, v, removed, retention);
    }

    /** The JSON twin of the HTML report: the same numbers, for notebooks and dashboards. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("namespace", namespace);
        out.put("generated_at", generatedAt.toString());
        out.put("label_field", labelField);
        Map<String, Object> corpus = new LinkedHashMap<>();
        corpus.put("documents", corpusDocuments);
        corpus.put("acceptable", corpusAcceptable);
        corpus.put("violating", corpusViolating);
        corpus.put("violating_fraction", labelled() ? (double) corpusViolating / (corpusAcceptable + corpusViolating) : null);
        out.put("corpus", corpus);
        List<Map<String, Object>> passList = new ArrayList<>();
        for (int i = 0; i < passes.size(); i++) {
            PassSection s = passes.get(i);
            PassReport c = s.counts();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pass", c.pass());
            p.put("state", s.status().getState().name());
            p.put("mode", s.status().getMode().name());
            p.put("source_topic", s.status().getSourceTopic());
            p.put("model_version", c.modelVersion());
            p.put("threshold", s.status().getThreshold());
            p.put("input", c.input());
            p.put("kept", c.kept());
            p.put("removed", c.removed());
            p.put("dlq", c.dlq());
            p.put("removed_fraction", c.removedFraction());
            p.put("restored", c.restored());
            p.put("removed_anew", c.newlyRemoved());
            p.put("seconds", Double.isNaN(c.seconds()) ? null : c.seconds());
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("bin_edges", s.histogram().edges());
            h.put("kept", s.histogram().kept());
            h.put("removed", s.histogram().removed());
            p.put("score_histogram", h);
            if (c.labelled()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("violating_kept", c.violatingKept());
                l.put("violating_removed", c.violatingRemoved());
                l.put("acceptable_kept", c.acceptableKept());
                l.put("acceptable_removed", c.acceptableRemoved());
                l.put("recall", nanToNull(c.recall()));
                l.put("false_positive_rate", nanToNull(c.falsePositiveRate()));
                l.put("violating_fraction_kept", nanToNull(c.violatingInKept()));
                l.put("benign_retention", corpusAcceptable == 0 ? null : (double) c.acceptableKept() / corpusAcceptable);
                p.put("labels", l);
            }
            if (theory != null) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("violating_fraction_kept", theory.violatingInKept()[i]);
                t.put("removed_fraction", theory.removedFraction()[i]);
                t.put("benign_retention", theory.benignRetention()[i]);
                p.put("theory", t);
            }
            passList.add(p);
        }
        out.put("passes", passList);
        List<Map<String, Object>> modelList = new ArrayList<>();
        for (ModelVersion m : models) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("name", m.getName());
            mm.put("version", m.getVersion());
            mm.put("parent_version", m.getParentVersion());
            mm.put("trained_on_pass", m.getTrainedOnPass());
            mm.put("created_at", m.getCreatedAt().toString());
            mm.put("sha256", m.getSha256());
            mm.put("threshold", m.getThreshold());
            Map<String, Double> metrics = new java.util.TreeMap<>();
            m.getMetrics().forEach((k, v) -> metrics.put(k, nanToNull(v)));
            mm.put("metrics", metrics);
            modelList.add(mm);
        }
        out.put("models", modelList);
        if (theory != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("r", theory.r());
            t.put("f", theory.f());
            t.put("rho", theory.rho());
            t.put("measured_on_pass", passes.get(0).counts().pass());
            t.put("statement", "violating odds fall by rho = (1 - r)/(1 - f) per nested pass; benign retention after t passes "
                    + "is (1 - f)^t; r and f held at what the first pass measured");
            out.put("theory", t);
        } else {
            out.put("theory", null);
        }
        Map<String, Object> conv = new LinkedHashMap<>();
        conv.put("delta", delta);
        conv.put("converged_at_pass", convergedAt);
        out.put("convergence", conv);
        return out;
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
