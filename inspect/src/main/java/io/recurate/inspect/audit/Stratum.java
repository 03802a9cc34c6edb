package io.recurate.inspect.audit;

import io.recurate.schemas.Decision;
import java.util.Locale;

/** A decision and a score band, e.g. {@code removed 0.8-1.0}: the unit the audit samples within. */
public record Stratum(Decision decision, int band, int bands) {

    public static Stratum of(Decision decision, float score, int bands) {
        return new Stratum(decision, Math.min(bands - 1, Math.max(0, (int) (score * bands))), bands);
    }

    /** Parses what {@link #toString()} wrote. */
    public static Stratum parse(String s) {
        String[] parts = s.trim().split(" ");
        String[] range = parts[1].split("-");
        double lo = Double.parseDouble(range[0]);
        double hi = Double.parseDouble(range[1]);
        int bands = (int) Math.round(1 / (hi - lo));
        return new Stratum(Decision.valueOf(parts[0].toUpperCase(Locale.ROOT)), (int) Math.round(lo * bands), bands);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %.2f-%.2f", decision.name().toLowerCase(Locale.ROOT),
                (double) band / bands, (double) (band + 1) / bands);
    }
}
