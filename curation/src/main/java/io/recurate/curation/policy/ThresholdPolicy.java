package io.recurate.curation.policy;

/** How a pass's threshold τ is chosen: a document whose score is at or above τ is removed. */
public interface ThresholdPolicy {
    String name();

    float threshold(PassView pass);
}
