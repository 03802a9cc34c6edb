package io.recurate.inspect.report;

/** The little HTML the reports need: escaping and number formats. */
public final class Html {
    private Html() {
    }

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // Control characters other than tab and newline are not allowed in HTML or SVG text.
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    } else if (c != '\r') {
                        b.append('\uFFFD');
                    }
                }
            }
        }
        return b.toString();
    }

    public static String percent(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    public static String number(double v) {
        return Double.isNaN(v) ? "–" : String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    public static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    /** The page frame every report shares: one file, inline CSS, no scripts, nothing fetched. */
    public static String page(String title, String body) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s</title>
                <style>
                body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #1d2733; padding: 0 1em; }
                h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #d5dbe3; padding-bottom: .2em; }
                table { border-collapse: collapse; margin: .6em 0; } th, td { padding: .25em .7em; border-bottom: 1px solid #e3e7ed; text-align: right; vertical-align: top; }
                th { background: #f3f5f8; } td.l, th.l { text-align: left; }
                .muted { color: #66717f; } .kept { color: #1f7a3d; } .removed { color: #b3261e; }
                .charts { display: flex; flex-wrap: wrap; gap: 1.2em; } figure { margin: 0; } figcaption { font-size: .9em; color: #66717f; }
                pre.doc { white-space: pre-wrap; word-break: break-word; max-height: 14em; overflow: auto; background: #f7f8fa; padding: .5em; margin: 0; font-size: 12px; }
                details summary { cursor: pointer; }
                td.text { max-width: 46em; overflow-wrap: anywhere; text-align: left; }
                </style>
                </head>
                <body>
                %s
                </body>
                </html>
                """.formatted(escape(title), body);
    }
}
