package io.recurate.curation.loop;

import java.io.PrintWriter;
import java.util.List;

/**
 * The loop's table, one row per pass; with labels also the violating share kept, recall r,
 * false-positive rate f, benign retention, and the theory's prediction from pass 1's r and f (as the
 * report gives it): violating odds fall by ρ = (1 − r₁)/(1 − f₁) per nested pass and benign retention is
 * (1 − f₁)^t. Full mode rescores the whole corpus every pass, so the theory does not compound there.
 */
public final class LoopTable {
    private LoopTable() {
    }

    public static void print(PrintWriter out, List<PassReport> reports, long corpusAcceptable, long corpusViolating,
                             boolean nested) {
        boolean labelled = reports.stream().anyMatch(PassReport::labelled);
        out.println();
        out.printf("%-5s %-8s %9s %9s %9s %9s %9s%s%n", "pass", "model", "input", "kept", "removed", "removed%", "restored",
                labelled ? String.format(" %11s %11s %9s %9s %10s %11s", "violating%k", "theory v%k", "recall r", "fpr f",
                        "benign ret", "theory ret") : "");
        double odds0 = corpusAcceptable == 0 ? Double.NaN : (double) corpusViolating / corpusAcceptable;
        PassReport first = reports.isEmpty() ? null : reports.get(0);
        for (PassReport r : reports) {
            String extra = "";
            if (labelled) {
                double benign = corpusAcceptable == 0 ? Double.NaN : (double) r.acceptableKept() / corpusAcceptable;
                String theoryShare = "-";
                String theoryRetention = "-";
                if (nested && first != null && first.labelled()) {
                    int t = r.pass();
                    double rho = (1 - first.recall()) / (1 - first.falsePositiveRate());
                    double odds = odds0 * Math.pow(rho, t);
                    theoryShare = String.format("%.2f%%", 100 * odds / (1 + odds));
                    theoryRetention = String.format("%.2f%%", 100 * Math.pow(1 - first.falsePositiveRate(), t));
                }
                extra = String.format(" %10.2f%% %11s %9.4f %9.4f %9.2f%% %11s", 100 * r.violatingInKept(), theoryShare,
                        r.recall(), r.falsePositiveRate(), 100 * benign, theoryRetention);
            }
            out.printf("%-5d %-8s %9d %9d %9d %8.2f%% %9d%s%n", r.pass(), r.modelVersion(), r.input(), r.kept(), r.removed(),
                    100 * r.removedFraction(), r.restored(), extra);
        }
        long total = corpusAcceptable + corpusViolating;
        if (labelled && total > 0) {
            out.printf("Corpus: %d documents, %.2f%% violating.%s%n", total, 100.0 * corpusViolating / total, nested
                    ? " Theory (nested passes, r and f of pass 1): violating odds fall by (1 - r)/(1 - f) per pass; "
                    + "benign retention after t passes is (1 - f)^t."
                    : " Full mode: every pass rescores the whole corpus, so the theory's per-pass decay does not compound.");
        }
        out.flush();
    }
}
