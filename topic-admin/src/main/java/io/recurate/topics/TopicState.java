package io.recurate.topics;

import java.util.Map;

/** A topic as the cluster has it: partitions, replication and the values of the configs the plan sets. */
public record TopicState(String name, boolean exists, int partitions, int replication, Map<String, String> configs) {
    static TopicState missing(String name) {
        return new TopicState(name, false, 0, 0, Map.of());
    }
}
