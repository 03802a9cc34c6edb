package io.recurate.inspect.report;

import io.recurate.curation.loop.PassReport;
import io.recurate.schemas.ModelVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report as one self-contained HTML page: tables and inline SVG charts, no scripts, nothing fetched. */
public final class ReportPage {
    private ReportPage() {
    }

    public static String render(CurationReport report) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>Curation report: ").append(Html.escape(report.namespace())).append("</h1>");
        b.append("<p class=\"muted\">Generated ").append(Html.escape(report.generatedAt().toString()))
                .append(" from the topics of namespace <code>").append(Html.escape(report.namespace()))
                .append("</code>. The same numbers are in <code>report.json</code>.</p>");
        summary(b, report);
        passTable(b, report);
        charts(b, report);
        histograms(b, report);
        models(b, report);
        return Html.page("recurate report: " + report.namespace(), b.toString());
    }

    private static void summary(StringBuilder b, CurationReport r) {
        b.append("<h2>Summary</h2><ul>");
        b.append("<li>Corpus: ").append(Html.count(r.corpusDocuments())).append(" documents");
        if (r.labelled()) {
            b.append(", labelled by <code>").append(Html.escape(r.labelField())).append("</code>: ")
                    .append(Html.count(r.corpusViolating())).append(" violating (")
                    .append(Html.percent((double) r.corpusViolating() / (r.corpusViolating() + r.corpusAcceptable())))
                    .append(")");
        }
        b.append(".</li>");
        b.append("<li>Passes scored: ").append(r.passes().size()).append(".</li>");
        b.append("<li>Convergence (a pass removes less than δ = ").append(Html.percent(r.delta())).append("): ")
                .append(r.convergedAt() == null ? "not reached" : "at pass " + r.convergedAt()).append(".</li>");
        if (r.theory() != null) {
            b.append("<li>Theory, from pass ").append(r.passes().get(0).counts().pass()).append(": r = ")
                    .append(Html.number(r.theory().r())).append(", f = ").append(Html.number(r.theory().f()))
                    .append(", so violating odds fall by ρ = (1 − r)/(1 − f) = ").append(Html.number(r.theory().rho()))
                    .append(" per pass and benign retention after t passes is (1 − f)<sup>t</sup>.</li>");
        } else {
            b.append("<li class=\"muted\">No labels in the corpus: recall, false-positive rate and the theory's prediction "
                    + "need labels (or an audit: <code>recurate audit</code>).</li>");
        }
        b.append("</ul>");
    }

    private static void passTable(StringBuilder b, CurationReport r) {
        b.append("<h2>Passes</h2><table id=\"passes\"><tr><th>pass</th><th class=\"l\">model</th><th class=\"l\">mode</th>"
                + "<th>τ</th><th>input</th><th>kept</th><th>removed</th><th>removed %</th><th>restored</th><th>DLQ</th>");
        boolean labelled = r.theory() != null;
        if (labelled) {
            b.append("<th>recall r</th><th>fpr f</th><th>violating % kept</th><th>theory</th><th>benign retention</th><th>theory</th>");
        }
        b.append("</tr>");
        for (int i = 0; i < r.passes().size(); i++) {
            CurationReport.PassSection s = r.passes().get(i);
            PassReport c = s.counts();
            b.append("<tr><td>").append(c.pass()).append("</td><td class=\"l\">").append(Html.escape(c.modelVersion()))
                    .append("</td><td class=\"l\">").append(s.status().getMode().name().toLowerCase(java.util.Locale.ROOT))
                    .append("</td><td>").append(String.format(java.util.Locale.ROOT, "%.3f", s.status().getThreshold()))
                    .append("</td><td>").append(Html.count(c.input())).append("</td><td class=\"kept\">").append(Html.count(c.kept()))
                    .append("</td><td class=\"removed\">").append(Html.count(c.removed())).append("</td><td>")
                    .append(Html.percent(c.removedFraction())).append("</td><td>").append(Html.count(c.restored()))
                    .append("</td><td>").append(Html.count(c.dlq())).append("</td>");
            if (labelled) {
                b.append("<td>").append(Html.number(c.recall())).append("</td><td>").append(Html.number(c.falsePositiveRate()))
                        .append("</td><td>").append(Html.percent(c.violatingInKept())).append("</td><td class=\"muted\">")
                        .append(Html.percent(r.theory().violatingInKept()[i])).append("</td><td>")
                        .append(Html.percent((double) c.acceptableKept() / r.corpusAcceptable())).append("</td><td class=\"muted\">")
                        .append(Html.percent(r.theory().benignRetention()[i])).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</table>");
    }

    private static void charts(StringBuilder b, CurationReport r) {
        int n = r.passes().size();
        if (n == 0) {
            b.append("<p class=\"muted\">No pass has finished scoring yet.</p>");
            return;
        }
        double[] removed = new double[n];
        double[] violating = new double[n];
        double[] benign = new double[n];
        for (int i = 0; i < n; i++) {
            PassReport c = r.passes().get(i).counts();
            removed[i] = c.removedFraction();
            violating[i] = c.labelled() ? c.violatingInKept() : Double.NaN;
            benign[i] = c.labelled() && r.corpusAcceptable() > 0 ? (double) c.acceptableKept() / r.corpusAcceptable() : Double.NaN;
        }
        b.append("<h2>Decay against the theory</h2><div class=\"charts\">");
        List<Svg.Series> removedSeries = new ArrayList<>(List.of(new Svg.Series("measured", removed, "#d0453a", false)));
        if (r.theory() != null) {
            removedSeries.add(new Svg.Series("theory", r.theory().removedFraction(), "#66717f", true));
        }
        figure(b, Svg.lines("Removed fraction per pass", "pass", "removed", removedSeries, true),
                "Share of each pass's input that it removed; the convergence test compares it with δ.");
        if (r.theory() != null) {
            figure(b, Svg.lines("Violating share of the kept corpus", "pass", "violating", List.of(
                    new Svg.Series("measured", violating, "#b3261e", false),
                    new Svg.Series("theory", r.theory().violatingInKept(), "#66717f", true)), true),
                    "Measured from the labels against odds × ρ^t with r and f of the first pass.");
            figure(b, Svg.lines("Benign retention", "pass", "retained", List.of(
                    new Svg.Series("measured", benign, "#1f7a3d", false),
                    new Svg.Series("theory", r.theory().benignRetention(), "#66717f", true)), true),
                    "Share of the corpus's acceptable documents still kept, against (1 − f)^t.");
        }
        b.append("</div>");
    }

    private static void histograms(StringBuilder b, CurationReport r) {
        if (r.passes().isEmpty()) {
            return;
        }
        b.append("<h2>Score histograms</h2><div class=\"charts\">");
        for (CurationReport.PassSection s : r.passes()) {
            figure(b, Svg.histogram("Pass " + s.counts().pass() + " (model " + s.counts().modelVersion() + ")",
                    s.histogram().edges(), s.histogram().kept(), s.histogram().removed(), s.status().getThreshold()),
                    "Green kept, red removed; dashed line the threshold τ.");
        }
        b.append("</div>");
    }

    private static void models(StringBuilder b, CurationReport r) {
        b.append("<h2>Model lineage</h2><table id=\"models\"><tr><th class=\"l\">version</th><th class=\"l\">parent</th>"
                + "<th>trained on pass</th><th class=\"l\">created</th><th class=\"l\">metrics</th><th class=\"l\">sha256</th></tr>");
        for (ModelVersion m : r.models()) {
            StringBuilder metrics = new StringBuilder();
            for (Map.Entry<String, Double> e : new java.util.TreeMap<>(m.getMetrics()).entrySet()) {
                double v = e.getValue() == null ? Double.NaN : e.getValue();
                metrics.append(Html.escape(e.getKey())).append(" = ").append(v == Math.rint(v) && Math.abs(v) < 1e15
                        ? Html.count((long) v) : Html.number(v)).append("<br>");
            }
            b.append("<tr><td class=\"l\">").append(Html.escape(m.getName() + " " + m.getVersion())).append("</td><td class=\"l\">")
                    .append(Html.escape(m.getParentVersion() == null ? "–" : m.getParentVersion())).append("</td><td>")
                    .append(m.getTrainedOnPass() == null ? "constitution" : m.getTrainedOnPass().toString()).append("</td><td class=\"l\">")
                    .append(Html.escape(m.getCreatedAt().toString())).append("</td><td class=\"l\">").append(metrics)
                    .append("</td><td class=\"l\"><code>").append(Html.escape(m.getSha256().substring(0, Math.min(12, m.getSha256().length()))))
                    .append("…</code></td></tr>");
        }
        b.append("</table>");
    }

    private static void figure(StringBuilder b, String svg, String caption) {
        b.append("<figure>").append(svg).append("<figcaption>").append(Html.escape(caption)).append("</figcaption></figure>");
    }
}
