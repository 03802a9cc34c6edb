package io.recurate.inspect.audit;

import io.recurate.inspect.report.Html;
import io.recurate.schemas.Decision;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The audit sample as a page a reviewer reads: every document with its score, decision and model version (text only when blind). */
public final class AuditPage {
    private AuditPage() {
    }

    /**
     * @param keyFile the key of a blind review: the page then shows id and text only, in the review file's
     *                order, and names the key instead of the strata; null for an open review
     */
    public static String render(String namespace, int pass, Map<Stratum, Long> population, List<AuditSample.Row> rows,
                                String reviewFile, String keyFile) {
        boolean blind = keyFile != null;
        StringBuilder b = new StringBuilder();
        b.append("<h1>Audit sample: pass ").append(pass).append(" of ").append(Html.escape(namespace)).append("</h1>");
        b.append("<p>").append(Html.count(rows.size())).append(" documents drawn at random within each decision and score band. "
                + "Write your verdict (<code>acceptable</code> or <code>violating</code>) into the <code>verdict</code> field of "
                + "each line of <code>").append(Html.escape(reviewFile)).append("</code>, then run <code>recurate audit score ")
                .append(Html.escape(reviewFile)).append(blind ? " --key " + Html.escape(keyFile) : "")
                .append("</code> for the pass's precision and recall with intervals.</p>");
        if (blind) {
            b.append("<p id=\"blind\">A blind review: the model's decisions and scores are withheld, and the documents are "
                    + "in random order. They are in <code>").append(Html.escape(keyFile)).append("</code>: do not open it before "
                    + "every verdict is written.</p>");
        } else {
            appendStrata(b, population, rows);
        }
        b.append("<h2>Documents</h2><table id=\"sample\"><tr><th>#</th><th class=\"l\">id</th>")
                .append(blind ? "" : "<th>score</th><th class=\"l\">decision</th><th class=\"l\">model</th>")
                .append("<th class=\"l\">text</th></tr>");
        int i = 0;
        for (AuditSample.Row r : rows) {
            i++;
            String decision = r.decision().name().toLowerCase(Locale.ROOT);
            String text = r.text();
            String preview = text.length() > 600 ? text.substring(0, 600) + " …" : text;
            b.append("<tr><td>").append(i).append("</td><td class=\"l\"><code>").append(Html.escape(r.id())).append("</code></td>");
            if (!blind) {
                b.append("<td>").append(String.format(Locale.ROOT, "%.4f", r.score())).append("</td><td class=\"l ")
                        .append(decision).append("\">").append(decision).append("</td><td class=\"l\">")
                        .append(Html.escape(r.modelVersion())).append("</td>");
            }
            b.append("<td class=\"text\">");
            if (text.length() > 600) {
                b.append("<details><summary>").append(Html.escape(preview)).append("</summary><pre class=\"doc\">")
                        .append(Html.escape(text.length() > 20_000 ? text.substring(0, 20_000) + "\n… (" + Html.count(text.length())
                                + " characters in all; the review file has the whole text)" : text)).append("</pre></details>");
            } else {
                b.append("<pre class=\"doc\">").append(Html.escape(text)).append("</pre>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        return Html.page("recurate audit: pass " + pass, b.toString());
    }

    private static void appendStrata(StringBuilder b, Map<Stratum, Long> population, List<AuditSample.Row> rows) {
        b.append("<h2>Strata</h2><table id=\"strata\"><tr><th class=\"l\">stratum</th><th>documents in the pass</th><th>sampled</th></tr>");
        for (var e : population.entrySet()) {
            long sampled = rows.stream().filter(r -> r.stratum().equals(e.getKey())).count();
            b.append("<tr><td class=\"l ").append(e.getKey().decision() == Decision.REMOVED ? "removed" : "kept").append("\">")
                    .append(Html.escape(e.getKey().toString())).append("</td><td>").append(Html.count(e.getValue()))
                    .append("</td><td>").append(Html.count(sampled)).append("</td></tr>");
        }
        b.append("</table>");
    }
}
