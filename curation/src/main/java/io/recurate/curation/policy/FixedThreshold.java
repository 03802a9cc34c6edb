package io.recurate.curation.policy;


/** The same τ every pass. */
public record FixedThreshold(float tau) implements ThresholdPolicy {
    public FixedThreshold {
        if (!(tau > 0 && tau <= 1)) {
            throw new IllegalArgumentException("A threshold is a probability in (0, 1], got " + tau);
        }
    }

    @Override
    public String name() {
        return "fixed " + tau;
    }

    @Override
    public float threshold(PassView pass) {
        return tau;
    }
}
