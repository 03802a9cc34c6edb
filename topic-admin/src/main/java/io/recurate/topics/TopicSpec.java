package io.recurate.topics;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * What a topic should look like: name, partitions, replication, the topic configs the plan sets,
 * and the Avro schema of its values (null for raw bytes, as in the DLQ).
 */
public record TopicSpec(String name, int partitions, short replication, Map<String, String> configs, Schema valueSchema) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        configs = Map.copyOf(configs);
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least one partition, got " + partitions);
        }
        if (replication < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs a replication factor of at least 1, got " + replication);
        }
    }

    /** Subject of the value schema under Confluent's TopicNameStrategy. */
    public String valueSubject() {
        return name + "-value";
    }
}
