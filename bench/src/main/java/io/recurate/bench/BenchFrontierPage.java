package io.recurate.bench;

import io.recurate.inspect.report.Html;
import io.recurate.inspect.report.Svg;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The page of {@code bench loop}: per corpus, the policies' frontier charts and their table. */
public final class BenchFrontierPage {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#17becf", "#7f7f7f"};

    private BenchFrontierPage() {
    }

    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> bench) {
        StringBuilder b = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>recurate bench loop"
                + "</title><style>body{font-family:system-ui,sans-serif;margin:2em;color:#1d2733}table{border-collapse:collapse}"
                + "td,th{padding:2px 8px;border-bottom:1px solid #e3e7ed;text-align:right}td:first-child,th:first-child{text-align:left}"
                + "</style></head><body><h1>Curation policies against the supervised ceiling</h1>");
        b.append("<p>Means over constitution seeds ").append(Html.escape(String.valueOf(bench.get("seeds")))).append(" of ")
                .append(bench.get("exemplars")).append(" exemplars; ").append(bench.get("passes"))
                .append(" passes. The default rule picks <b>").append(Html.escape(String.valueOf(bench.get("rule_picks"))))
                .append("</b>; the built-in default is <b>").append(Html.escape(String.valueOf(bench.get("default"))))
                .append("</b>.</p>");
        for (Map<String, Object> corpus : (List<Map<String, Object>>) bench.get("corpora")) {
            b.append("<h2>").append(Html.escape(String.valueOf(corpus.get("corpus")))).append("</h2><p>")
                    .append(corpus.get("documents")).append(" documents, ")
                    .append(String.format(Locale.ROOT, "%.2f%%", 100 * ((Number) corpus.get("violating_share")).doubleValue()))
                    .append(" violating.</p>");
            List<Svg.Curve> curves = new ArrayList<>();
            int color = 0;
            StringBuilder table = new StringBuilder("<table><tr><th>policy</th>");
            List<Map<String, Object>> policies = (List<Map<String, Object>>) corpus.get("policies");
            int passes = ((List<?>) policies.get(0).get("passes")).size();
            for (int p = 1; p <= passes; p++) {
                table.append("<th>pass ").append(p).append("</th>");
            }
            table.append("<th>gap p1 → p").append(passes).append("</th></tr>");
            for (Map<String, Object> policy : policies) {
                List<Map<String, Object>> rows = (List<Map<String, Object>>) policy.get("passes");
                double[] x = new double[rows.size()];
                double[] y = new double[rows.size()];
                table.append("<tr><td>").append(Html.escape(String.valueOf(policy.get("policy")))).append("</td>");
                for (int i = 0; i < rows.size(); i++) {
                    x[i] = ((Number) rows.get(i).get("benign_retention")).doubleValue();
                    y[i] = ((Number) rows.get(i).get("violating_share")).doubleValue();
                    table.append(String.format(Locale.ROOT, "<td>%.2f%% @ %.1f%%</td>", 100 * y[i], 100 * x[i]));
                }
                double g1 = ((Number) rows.get(0).get("gap_to_ceiling")).doubleValue();
                double gn = ((Number) rows.get(rows.size() - 1).get("gap_to_ceiling")).doubleValue();
                table.append(String.format(Locale.ROOT, "<td>%.2f → %.2f</td></tr>", 100 * g1, 100 * gn));
                curves.add(new Svg.Curve(String.valueOf(policy.get("policy")), x, y, COLORS[color++ % COLORS.length], false, true));
            }
            List<Map<String, Object>> ceiling = (List<Map<String, Object>>) corpus.get("ceiling");
            double[] cx = new double[ceiling.size()];
            double[] cy = new double[ceiling.size()];
            for (int i = 0; i < cx.length; i++) {
                cx[i] = ((Number) ceiling.get(i).get("benign_retention")).doubleValue();
                cy[i] = ((Number) ceiling.get(i).get("violating_share")).doubleValue();
            }
            curves.add(new Svg.Curve("supervised ceiling", cx, cy, "#1d2733", true, false));
            b.append(Svg.frontier("Violating share kept vs benign retention, pass by pass", curves));
            b.append(table).append("</table>");
        }
        return b.append("</body></html>").toString();
    }
}
