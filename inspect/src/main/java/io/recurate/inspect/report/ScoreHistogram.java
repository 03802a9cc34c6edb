package io.recurate.inspect.report;

import io.recurate.schemas.Decision;

/** Scores of one pass in equal-width bins over [0, 1], kept and removed counted apart. */
public final class ScoreHistogram {
    private final long[] kept;
    private final long[] removed;

    public ScoreHistogram(int bins) {
        kept = new long[bins];
        removed = new long[bins];
    }

    public void add(float score, Decision decision) {
        int bin = Math.min(kept.length - 1, Math.max(0, (int) (score * kept.length)));
        if (decision == Decision.REMOVED) {
            removed[bin]++;
        } else {
            kept[bin]++;
        }
    }

    public double[] edges() {
        double[] e = new double[kept.length + 1];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.round(1000.0 * i / kept.length) / 1000.0;
        }
        return e;
    }

    public long[] kept() {
        return kept.clone();
    }

    public long[] removed() {
        return removed.clone();
    }
}
