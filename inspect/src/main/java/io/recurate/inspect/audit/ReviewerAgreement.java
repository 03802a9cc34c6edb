package io.recurate.inspect.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How far reviewers agree: Cohen's kappa for every pair of reviewers, on the documents both gave a verdict
 * (acceptable or violating). Kappa corrects the share of agreements for the agreement their own verdict rates
 * would reach by chance; it is undefined (NaN) when both gave one and the same verdict to everything.
 */
public final class ReviewerAgreement {
    /** One pair of reviewers. */
    public record Pair(String first, String second, int documents, double observed, double kappa) {
    }

    private ReviewerAgreement() {
    }

    /** @param verdicts per document, each reviewer's verdict ("acceptable" or "violating") */
    public static List<Pair> of(List<Map<String, String>> verdicts) {
        TreeSet<String> reviewers = new TreeSet<>();
        verdicts.forEach(v -> reviewers.addAll(v.keySet()));
        List<String> names = new ArrayList<>(reviewers);
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                Pair p = pair(names.get(i), names.get(j), verdicts);
                if (p.documents() > 0) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static Pair pair(String a, String b, List<Map<String, String>> verdicts) {
        int n = 0;
        int agree = 0;
        int aViolating = 0;
        int bViolating = 0;
        for (Map<String, String> v : verdicts) {
            String va = v.get(a);
            String vb = v.get(b);
            if (va == null || vb == null) {
                continue;
            }
            n++;
            agree += va.equals(vb) ? 1 : 0;
            aViolating += va.equals("violating") ? 1 : 0;
            bViolating += vb.equals("violating") ? 1 : 0;
        }
        if (n == 0) {
            return new Pair(a, b, 0, Double.NaN, Double.NaN);
        }
        double observed = (double) agree / n;
        double pa = (double) aViolating / n;
        double pb = (double) bViolating / n;
        double chance = pa * pb + (1 - pa) * (1 - pb);
        double kappa = chance >= 1 ? Double.NaN : (observed - chance) / (1 - chance);
        return new Pair(a, b, n, observed, kappa);
    }
}
