package io.recurate.topics;

import java.util.List;
import java.util.stream.Collectors;

/** Existing topics do not match the plan; recurate does not use them until a person decides. */
public class TopicDriftException extends RuntimeException {
    private final List<Drift> drifts;

    public TopicDriftException(List<Drift> drifts) {
        super("Existing topics differ from the topic plan in a way recurate relies on:\n" + drifts.stream()
                .map(d -> "  " + d + ": " + d.remedy()).collect(Collectors.joining("\n")));
        this.drifts = List.copyOf(drifts);
    }

    public List<Drift> drifts() {
        return drifts;
    }
}
