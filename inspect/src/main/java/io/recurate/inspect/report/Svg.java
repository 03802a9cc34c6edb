package io.recurate.inspect.report;

import java.util.List;
import java.util.Locale;

/** Inline SVG charts, so a report is one file that opens anywhere without a network. */
public final class Svg {
    private static final int W = 520;
    private static final int H = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;

    private Svg() {
    }

    /** One line of a line chart; NaN values are gaps. */
    public record Series(String name, double[] values, String color, boolean dashed) {
    }

    /** Lines over x = 1..n (passes), y from 0 to the largest value. */
    public static String lines(String title, String xLabel, String yLabel, List<Series> series, boolean percent) {
        int n = series.stream().mapToInt(s -> s.values().length).max().orElse(0);
        double max = series.stream().flatMapToDouble(s -> java.util.Arrays.stream(s.values())).filter(v -> !Double.isNaN(v))
                .max().orElse(1);
        max = max <= 0 ? 1 : max * 1.1;
        StringBuilder b = frame(title, xLabel, yLabel);
        axisY(b, max, percent);
        double plotW = W - LEFT - RIGHT;
        for (int i = 0; i < n; i++) {
            double x = LEFT + (n == 1 ? plotW / 2 : plotW * i / (n - 1));
            b.append(text(x, H - BOTTOM + 16, String.valueOf(i + 1), "middle", 11));
        }
        int legendY = TOP + 4;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < s.values().length; i++) {
                double v = s.values()[i];
                if (Double.isNaN(v)) {
                    pen = false;
                    continue;
                }
                double x = LEFT + (n == 1 ? plotW / 2 : plotW * i / (n - 1));
                double y = y(v, max);
                path.append(pen ? " L" : " M").append(f(x)).append(' ').append(f(y));
                pen = true;
                b.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"3\" fill=\"")
                        .append(s.color()).append("\"/>");
            }
            if (!path.isEmpty()) {
                b.append("<path d=\"").append(path.toString().trim()).append("\" fill=\"none\" stroke=\"").append(s.color())
                        .append("\" stroke-width=\"2\"").append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>");
            }
            b.append("<line x1=\"").append(W - 170).append("\" y1=\"").append(legendY).append("\" x2=\"").append(W - 150)
                    .append("\" y2=\"").append(legendY).append("\" stroke=\"").append(s.color()).append("\" stroke-width=\"2\"")
                    .append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>");
            b.append(text(W - 145, legendY + 4, s.name(), "start", 11));
            legendY += 15;
        }
        return b.append("</svg>").toString();
    }

    /** A curve of points (x, y); its passes are numbered along it. */
    public record Curve(String name, double[] x, double[] y, String color, boolean dashed, boolean numbered) {
    }

    /**
     * Violating share kept (y) against benign retention (x), one curve per policy through its passes and the
     * supervised ceiling: the closer a policy ends to the ceiling, the better; right and low is best.
     */
    public static String frontier(String title, List<Curve> curves) {
        double xMin = 1;
        double yMax = 0;
        for (Curve c : curves) {
            for (int i = 0; i < c.x().length; i++) {
                if (!Double.isNaN(c.x()[i]) && !Double.isNaN(c.y()[i])) {
                    xMin = Math.min(xMin, c.x()[i]);
                    yMax = Math.max(yMax, c.y()[i]);
                }
            }
        }
        xMin = Math.max(0, Math.floor(xMin * 20) / 20);
        yMax = yMax <= 0 ? 0.01 : yMax * 1.1;
        double x0 = xMin;
        double top = yMax;
        StringBuilder b = frame(title, "benign retention", "violating share kept");
        axisY(b, yMax, true);
        double plotW = W - LEFT - RIGHT;
        for (int i = 0; i <= 4; i++) {
            double v = x0 + (1 - x0) * i / 4;
            b.append(text(LEFT + plotW * i / 4, H - BOTTOM + 16, String.format(Locale.ROOT, "%.0f%%", 100 * v), "middle", 11));
        }
        java.util.function.DoubleUnaryOperator px = v -> LEFT + plotW * (v - x0) / (1 - x0);
        int legendY = TOP + 4;
        for (Curve c : curves) {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < c.x().length; i++) {
                if (Double.isNaN(c.x()[i]) || Double.isNaN(c.y()[i])) {
                    continue;
                }
                double x = px.applyAsDouble(c.x()[i]);
                double y = y(c.y()[i], top);
                path.append(path.isEmpty() ? "M" : " L").append(f(x)).append(' ').append(f(y));
                if (c.numbered()) {
                    b.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"3\" fill=\"")
                            .append(c.color()).append("\"><title>").append(Html.escape(c.name() + ", pass " + (i + 1) + ": "
                                    + String.format(Locale.ROOT, "%.2f%% at %.1f%%", 100 * c.y()[i], 100 * c.x()[i])))
                            .append("</title></circle>");
                }
            }
            if (!path.isEmpty()) {
                b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(c.color())
                        .append("\" stroke-width=\"2\"").append(c.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>");
            }
            b.append("<line x1=\"").append(W - 170).append("\" y1=\"").append(legendY).append("\" x2=\"").append(W - 150)
                    .append("\" y2=\"").append(legendY).append("\" stroke=\"").append(c.color()).append("\" stroke-width=\"2\"")
                    .append(c.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>");
            b.append(text(W - 145, legendY + 4, c.name(), "start", 11));
            legendY += 15;
        }
        return b.append("</svg>").toString();
    }

    /** Score histogram: kept and removed stacked per bin, the threshold as a line. */
    public static String histogram(String title, double[] edges, long[] kept, long[] removed, double threshold) {
        long max = 1;
        for (int i = 0; i < kept.length; i++) {
            max = Math.max(max, kept[i] + removed[i]);
        }
        // Square-root scale: the few documents near the threshold stay visible next to the many near 0 and 1.
        double top = Math.sqrt(max) * 1.05;
        StringBuilder b = frame(title, "violation score", "documents (√ scale)");
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        for (long tick : new long[] {0, max / 4, max}) {
            double y = H - BOTTOM - plotH * Math.sqrt(tick) / top;
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(W - RIGHT)
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e3e7ed\"/>");
            b.append(text(LEFT - 6, y + 4, String.valueOf(tick), "end", 11));
        }
        double bw = plotW / kept.length;
        for (int i = 0; i < kept.length; i++) {
            double x = LEFT + i * bw;
            double hk = plotH * Math.sqrt(kept[i]) / top;
            double hAll = plotH * Math.sqrt(kept[i] + removed[i]) / top;
            if (kept[i] > 0) {
                b.append(rect(x + 1, H - BOTTOM - hk, bw - 2, hk, "#3c9d5d", kept[i] + " kept in [" + edges[i] + ", " + edges[i + 1] + ")"));
            }
            if (removed[i] > 0) {
                b.append(rect(x + 1, H - BOTTOM - hAll, bw - 2, hAll - hk, "#d0453a",
                        removed[i] + " removed in [" + edges[i] + ", " + edges[i + 1] + ")"));
            }
        }
        for (int i = 0; i <= kept.length; i += Math.max(1, kept.length / 5)) {
            b.append(text(LEFT + i * bw, H - BOTTOM + 16, String.format(Locale.ROOT, "%.1f", edges[i]), "middle", 11));
        }
        double tx = LEFT + plotW * threshold;
        b.append("<line x1=\"").append(f(tx)).append("\" y1=\"").append(TOP).append("\" x2=\"").append(f(tx)).append("\" y2=\"")
                .append(H - BOTTOM).append("\" stroke=\"#1d2733\" stroke-dasharray=\"4 3\"/>");
        b.append(text(tx + 4, TOP + 10, "τ = " + String.format(Locale.ROOT, "%.3f", threshold), "start", 11));
        return b.append("</svg>").toString();
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel) {
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
                .append(Html.escape(title)).append("\" font-family=\"system-ui, sans-serif\">");
        b.append("<rect width=\"").append(W).append("\" height=\"").append(H).append("\" fill=\"#ffffff\"/>");
        b.append(text(LEFT, 16, title, "start", 13));
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(H - BOTTOM).append("\" x2=\"").append(W - RIGHT)
                .append("\" y2=\"").append(H - BOTTOM).append("\" stroke=\"#66717f\"/>");
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(H - BOTTOM).append("\" stroke=\"#66717f\"/>");
        b.append(text((LEFT + W - RIGHT) / 2.0, H - 8, xLabel, "middle", 11));
        b.append("<text x=\"14\" y=\"").append((TOP + H - BOTTOM) / 2).append("\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 ")
                .append((TOP + H - BOTTOM) / 2).append(")\" fill=\"#1d2733\">").append(Html.escape(yLabel)).append("</text>");
        return b;
    }

    private static void axisY(StringBuilder b, double max, boolean percent) {
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double y = y(v, max);
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(W - RIGHT)
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#e3e7ed\"/>");
            b.append(text(LEFT - 6, y + 4, percent ? String.format(Locale.ROOT, "%.1f%%", 100 * v)
                    : String.format(Locale.ROOT, "%.3g", v), "end", 11));
        }
    }

    private static double y(double v, double max) {
        return H - BOTTOM - (H - TOP - BOTTOM) * v / max;
    }

    private static String rect(double x, double y, double w, double h, String color, String tip) {
        return "<rect x=\"" + f(x) + "\" y=\"" + f(y) + "\" width=\"" + f(Math.max(w, 0.5)) + "\" height=\"" + f(Math.max(h, 0.5))
                + "\" fill=\"" + color + "\"><title>" + Html.escape(tip) + "</title></rect>";
    }

    private static String text(double x, double y, String s, String anchor, int size) {
        return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" font-size=\"" + size + "\" text-anchor=\"" + anchor
                + "\" fill=\"#1d2733\">" + Html.escape(s) + "</text>";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
