package io.recurate.curation.policy;

import io.recurate.schemas.SourceMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The named policies the command line offers and {@code bench loop} compares. The default was chosen by
 * the rule in the README (lowest final violating share at benign retention ≥ 90% on both bench corpora,
 * never above pass 1), from that bench.
 */
public final class CurationPolicies {
    /** The default with a pretrained encoder (the default model kind). */
    public static final String DEFAULT = "self-train";
    /** The default with the hashed n-gram model ({@code --encoder none}). */
    public static final String DEFAULT_HASHED = "nb-ramp";
    /** Folds of a cross-fitted version: each fold model trains on 80% of the corpus. */
    public static final int FOLDS = 5;
    /** The benign share the prior-cut policies accept to lose for the violators ranked among them (a 95% target). */
    static final double BENIGN_ALLOWANCE = 0.05;
    /** How much of the estimated violating share the ramp policies remove. */
    static final double FRACTION = 0.95;
    private static final Map<String, Supplier<CurationPolicy>> NAMED = new LinkedHashMap<>();

    static {
        NAMED.put("naive", () -> fixed(0.5f));
        NAMED.put("budget", () -> budget(0.04));
        NAMED.put("pu", () -> new CurationPolicy("pu", SourceMode.FULL, FOLDS, new LabelFrequency(),
                new CalibratedThreshold(0.5f)));
        NAMED.put("spies", () -> new CurationPolicy("spies", SourceMode.NESTED, FOLDS, new Spies(0.15, 0.9),
                new CalibratedThreshold(0.5f)));
        NAMED.put("em", () -> new CurationPolicy("em", SourceMode.FULL, FOLDS, new SoftLabels(1),
                new CalibratedThreshold(0.5f)));
        NAMED.put("ramp", () -> new CurationPolicy("ramp", SourceMode.FULL, FOLDS, new LabelFrequency(),
                new PriorRamp(4, FRACTION, 0.5)));
        NAMED.put("nb-em", () -> new CurationPolicy("nb-em", SourceMode.FULL, FOLDS, new NaiveBayesEm(1, false),
                new CalibratedThreshold(0.5f)));
        NAMED.put("nb-ramp", () -> new CurationPolicy("nb-ramp", SourceMode.FULL, FOLDS, new NaiveBayesEm(1, false),
                new PriorRamp(4, FRACTION, 0.5)));
        NAMED.put("self-train", () -> new CurationPolicy("self-train", SourceMode.FULL, FOLDS, new SelfTraining(true),
                new PriorCut(BENIGN_ALLOWANCE, 0.5)));
        NAMED.put("self-train-hard", () -> new CurationPolicy("self-train-hard", SourceMode.FULL, FOLDS,
                new SelfTraining(false), new PriorCut(BENIGN_ALLOWANCE, 0.5)));
    }

    private CurationPolicies() {
    }

    public static Map<String, Supplier<CurationPolicy>> all() {
        return java.util.Collections.unmodifiableMap(NAMED);
    }

    public static CurationPolicy named(String name) {
        Supplier<CurationPolicy> policy = NAMED.get(name);
        if (policy == null) {
            throw new IllegalArgumentException("No policy '" + name + "'; choose one of " + NAMED.keySet());
        }
        return policy.get();
    }

    /** The loop as it was first built: nested, one model, kept documents as acceptable, a fixed τ. */
    public static CurationPolicy fixed(float tau) {
        return new CurationPolicy("naive", SourceMode.NESTED, 1, new KeptAsAcceptable(), new FixedThreshold(tau));
    }

    /** Nested, one model, each pass removes the q highest-scoring share of its source. */
    public static CurationPolicy budget(double q) {
        return new CurationPolicy("budget", SourceMode.NESTED, 1, new KeptAsAcceptable(), new RemovalBudget(q));
    }

    /** {@code policy} with another source mode or number of folds (command-line overrides). */
    public static CurationPolicy with(CurationPolicy policy, SourceMode mode, Integer folds) {
        return new CurationPolicy(policy.name(), mode != null ? mode : policy.mode(), folds != null ? folds : policy.folds(),
                policy.training(), policy.threshold());
    }
}
