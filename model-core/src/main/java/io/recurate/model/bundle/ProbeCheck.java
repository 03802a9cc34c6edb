package io.recurate.model.bundle;

import io.recurate.model.featurize.Featurizer;
import io.recurate.model.featurize.FeaturizerSpec;
import io.recurate.model.train.LinearModel;
import java.util.Optional;

/**
 * Whether a served model scores a probe as its manifest says. The manifest holds the Java reference's
 * logit and a bound on how far a correct float evaluation may lie from it (it grows with the number of
 * ids and the weights' magnitudes); the observed probability must lie in the sigmoid of that interval,
 * widened by what the runtime's own sigmoid may add. So a correct model always passes, and a model that
 * computes something else (another table, a wrong graph) fails.
 */
public final class ProbeCheck {
    /**
     * What an ONNX Runtime sigmoid may add. MLAS's (Eigen's rational approximation, input clamped to
     * [-18, 18]) is accurate in absolute, not relative, terms: measured on ONNX Runtime 1.23 CPU over
     * logits -30..30 in steps of 0.1, at most 1.05e-7 from the exact value (2 ulps near 1, far more in
     * ulps near 0). CUDA's expf-based sigmoid is within a few ulps. Both fit this slack with room.
     */
    static final double SIGMOID_ABSOLUTE = 2.5e-7;
    static final int SIGMOID_ULPS = 8;
    /**
     * Bundles written before probes carried a bound are checked as if every id added at most this much
     * to the logit's magnitude: generous for trained fastText-style weights, still far below what a
     * different model changes.
     */
    static final double LEGACY_MAGNITUDE = 64;
    /** The widest embedding those bundles may have (their manifest does not say). */
    static final int LEGACY_DIM = 256;
    /** The fixed tolerance those bundles were written for, kept as a floor. */
    static final double LEGACY_PROBABILITY_TOLERANCE = 1e-5;

    private ProbeCheck() {
    }

    /** Empty when {@code observed} agrees with the probe; else what the manifest expects, in words. */
    static Optional<String> mismatch(Manifest.Probe probe, float observed, FeaturizerSpec spec) {
        double low;
        double high;
        String expected;
        if (probe.logit() != null && probe.logitTolerance() != null) {
            double z = probe.logit();
            double tolerance = probe.logitTolerance();
            low = sigmoid(z - tolerance);
            high = sigmoid(z + tolerance);
            expected = String.format("logit %.9g +- %.3g, i.e. a score in [%.9g, %.9g]", z, tolerance, low, high);
        } else {
            int ids = new Featurizer(spec).ids(probe.text()).length;
            double z = logit(probe.score());
            double tolerance = 2 * LinearModel.gamma(ids + LEGACY_DIM + 4) * LEGACY_MAGNITUDE;
            low = Math.min(sigmoid(z - tolerance), probe.score() - LEGACY_PROBABILITY_TOLERANCE);
            high = Math.max(sigmoid(z + tolerance), probe.score() + LEGACY_PROBABILITY_TOLERANCE);
            expected = String.format("%.9g (a bundle without a recorded bound: accepted in [%.9g, %.9g])",
                    probe.score(), low, high);
        }
        return within(observed, low, high) ? Optional.empty() : Optional.of(expected);
    }

    /**
     * Whether a probability computed by ONNX Runtime (or any float evaluation) agrees with a reference
     * logit known to within {@code logitTolerance}.
     */
    public static boolean agrees(float observed, double logit, double logitTolerance) {
        return within(observed, sigmoid(logit - logitTolerance), sigmoid(logit + logitTolerance));
    }

    private static boolean within(float observed, double low, double high) {
        double slack = SIGMOID_ABSOLUTE + SIGMOID_ULPS * (double) Math.ulp(Math.max(observed, (float) high));
        return observed >= low - slack && observed <= high + slack;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double logit(float p) {
        double clamped = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
        return Math.log(clamped / (1 - clamped));
    }

}
