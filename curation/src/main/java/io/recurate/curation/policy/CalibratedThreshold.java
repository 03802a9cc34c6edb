package io.recurate.curation.policy;


/**
 * The threshold the version's training policy derived (Elkan–Noto's c/2, the spies' quantile, 0.5 on a
 * posterior); {@code fallback} for a version without one (v0 from the constitution, a published bundle).
 */
public record CalibratedThreshold(float fallback) implements ThresholdPolicy {
    @Override
    public String name() {
        return "calibrated (else " + fallback + ")";
    }

    @Override
    public float threshold(PassView pass) {
        Double tau = pass.calibration().get(TrainedVersion.THRESHOLD);
        return tau == null ? fallback : (float) Math.min(1, Math.max(Float.MIN_NORMAL, tau));
    }
}
