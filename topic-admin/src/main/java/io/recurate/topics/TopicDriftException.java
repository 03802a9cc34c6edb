package io.recurate.topics;

import java.util.List;
import java.util.stream.Collectors;

/** Existing topics do not match the plan; recurate does not use them until a person decides. */
public class TopicDriftException extends RuntimeException {
    private final List<Drift> drifts;

    public TopicDriftException(List<Drift> drifts) {
        super("Existing topics differ from the topic plan:\n" + drifts.stream().map(d -> "  " + d)
                .collect(Collectors.joining("\n")) + "\nFix them (kafka-configs / kafka-topics) or delete them; "
                + "recurate will not use a topic whose settings differ from its plan.");
        this.drifts = List.copyOf(drifts);
    }

    public List<Drift> drifts() {
        return drifts;
    }
}
