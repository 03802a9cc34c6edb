package io.recurate.topics;

import io.recurate.registry.RegistryClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a cluster in line with a {@link TopicPlan}: creates what is missing, verifies what exists
 * (a topic with other settings is reported, never silently used) and registers value schemas.
 */
public final class TopicAdmin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
    private static final long TIMEOUT_S = 60;

    private final Admin admin;

    public TopicAdmin(Map<String, Object> kafkaConfig) {
        this.admin = Admin.create(kafkaConfig);
    }

    /** What {@link #ensure} did with each topic. */
    public enum Outcome { CREATED, ALREADY_MATCHING }

    /**
     * Creates the missing topics and verifies the others; idempotent. An existing topic is used as it is when
     * only its durability differs from the plan (replication factor, {@code min.insync.replicas}: said once,
     * at WARN); a difference recurate relies on (partitions, cleanup policy, retention, record size) is refused.
     *
     * @throws TopicDriftException when an existing topic differs from its spec in a way that matters
     */
    public Map<String, Outcome> ensure(List<TopicSpec> specs) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        Set<String> existing = existingTopics();
        List<NewTopic> toCreate = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                outcomes.put(spec.name(), Outcome.ALREADY_MATCHING);
            } else {
                toCreate.add(new NewTopic(spec.name(), spec.partitions(), spec.replication()).configs(spec.configs()));
                outcomes.put(spec.name(), Outcome.CREATED);
            }
        }
        if (!toCreate.isEmpty()) {
            var results = admin.createTopics(toCreate).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT_S, TimeUnit.SECONDS);
                    log.info("Created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        outcomes.put(entry.getKey(), Outcome.ALREADY_MATCHING); // created concurrently
                    } else {
                        throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot create topic " + entry.getKey() + ": " + e, e);
                }
            }
        }
        awaitLeaders(toCreate.stream().map(NewTopic::name).toList());
        List<Drift> drifts = verify(specs.stream().filter(s -> outcomes.get(s.name()) == Outcome.ALREADY_MATCHING).toList());
        List<Drift> fatal = drifts.stream().filter(d -> !Drift.DURABILITY.contains(d.setting())).toList();
        drifts.stream().filter(d -> Drift.DURABILITY.contains(d.setting())).forEach(d ->
                log.warn("Using {} as it is: {} is {}, the plan says {}", d.topic(), d.setting(), d.actual(), d.expected()));
        if (!fatal.isEmpty()) {
            throw new TopicDriftException(fatal);
        }
        return outcomes;
    }

    /**
     * Waits until every partition of new topics answers on its leader. The broker's metadata can name
     * a leader a moment before that leader accepts writes; an idempotent producer writing in that
     * moment gets NOT_LEADER_OR_FOLLOWER, and its retried first batch may then be refused forever as
     * OUT_OF_ORDER_SEQUENCE_NUMBER. A ListOffsets request is answered by the leader itself, so its
     * success means the partition is ready.
     */
    private void awaitLeaders(List<String> topics) {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).values().forEach(d ->
                        d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                return;
            } catch (Exception notYet) {
                // leadership not taken yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.warn("Partitions of {} did not answer on their leaders within {} s", topics, TIMEOUT_S);
    }

    /** Brokers in the cluster. */
    public int brokerCount() {
        try {
            return admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe the cluster: " + rootMessage(e), e);
        }
    }

    /** Partitions of a topic, or empty when it does not exist. */
    public java.util.Optional<Integer> partitionCount(String topic) {
        if (!existingTopics().contains(topic)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(describeTopics(List.of(topic)).get(topic).partitions().size());
    }

    /** How existing topics differ from their specs; a missing topic is a drift too. */
    public List<Drift> verify(List<TopicSpec> specs) {
        List<Drift> drifts = new ArrayList<>();
        if (specs.isEmpty()) {
            return drifts;
        }
        Set<String> existing = existingTopics();
        List<TopicSpec> present = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                present.add(spec);
            } else {
                drifts.add(new Drift(spec.name(), "existence", "present", "missing"));
            }
        }
        if (present.isEmpty()) {
            return drifts;
        }
        Map<String, TopicDescription> descriptions = describeTopics(present.stream().map(TopicSpec::name).toList());
        Map<String, Config> configs = describeConfigs(present.stream().map(TopicSpec::name).toList());
        for (TopicSpec spec : present) {
            TopicDescription d = descriptions.get(spec.name());
            int partitions = d.partitions().size();
            if (partitions != spec.partitions()) {
                drifts.add(new Drift(spec.name(), "partitions", Integer.toString(spec.partitions()), Integer.toString(partitions)));
            }
            int replication = d.partitions().get(0).replicas().size();
            if (replication != spec.replication()) {
                drifts.add(new Drift(spec.name(), "replication.factor", Short.toString(spec.replication()),
                        Integer.toString(replication)));
            }
            Config actual = configs.get(spec.name());
            spec.configs().forEach((key, expected) -> {
                ConfigEntry entry = actual.get(key);
                String value = entry == null ? "unset" : entry.value();
                if (!expected.equals(value)) {
                    drifts.add(new Drift(spec.name(), key, expected, value));
                }
            });
        }
        return drifts;
    }

    /** Partitions, replication and the planned configs of each topic, for {@code topics describe}. */
    public Map<String, TopicState> describe(List<TopicSpec> specs) {
        Set<String> existing = existingTopics();
        List<String> names = specs.stream().map(TopicSpec::name).filter(existing::contains).toList();
        Map<String, TopicDescription> descriptions = names.isEmpty() ? Map.of() : describeTopics(names);
        Map<String, Config> configs = names.isEmpty() ? Map.of() : describeConfigs(names);
        Map<String, TopicState> out = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            TopicDescription d = descriptions.get(spec.name());
            if (d == null) {
                out.put(spec.name(), TopicState.missing(spec.name()));
                continue;
            }
            Map<String, String> planned = new LinkedHashMap<>();
            spec.configs().keySet().stream().sorted().forEach(k -> {
                ConfigEntry e = configs.get(spec.name()).get(k);
                planned.put(k, e == null ? "unset" : e.value());
            });
            out.put(spec.name(), new TopicState(spec.name(), true, d.partitions().size(),
                    d.partitions().get(0).replicas().size(), planned));
        }
        return out;
    }

    /** Deletes the given topics; returns the ones that existed. */
    public List<String> deleteTopics(Collection<TopicSpec> specs) {
        Set<String> existing = existingTopics();
        List<String> names = specs.stream().map(TopicSpec::name).filter(existing::contains).toList();
        if (names.isEmpty()) {
            return names;
        }
        try {
            admin.deleteTopics(names).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw new IllegalStateException("Cannot delete topics " + names + ": " + e.getCause().getMessage(), e);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot delete topics " + names + ": " + e, e);
        }
        // Deletion completes in the background; wait, so that the caller can recreate the topics at once.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (existingTopics().stream().anyMatch(names::contains) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("Deleted topics {}", names);
        return names;
    }

    /**
     * Forgets a Kafka Streams application: its consumer group and its internal topics, so that it
     * starts from the beginning of its input with empty state (what kafka-streams-application-reset does).
     */
    public void resetApplication(String applicationId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                admin.deleteConsumerGroups(List.of(applicationId)).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                break;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                    break;
                }
                // A member that stopped a moment ago is only forgotten after its session timeout.
                if (e.getCause() instanceof org.apache.kafka.common.errors.GroupNotEmptyException
                        && System.nanoTime() < deadline) {
                    log.info("Application {} still has members; waiting for them to leave", applicationId);
                    sleep(2000);
                    continue;
                }
                throw new IllegalStateException("Cannot reset application " + applicationId + ": "
                        + e.getCause().getMessage() + " (is a scorer still running it?)", e.getCause());
            } catch (Exception e) {
                throw new IllegalStateException("Cannot reset application " + applicationId + ": " + e, e);
            }
        }
        List<TopicSpec> internal = existingTopics().stream()
                .filter(t -> t.startsWith(applicationId + "-") && (t.endsWith("-changelog") || t.endsWith("-repartition")))
                .map(t -> new TopicSpec(t, 1, (short) 1, Map.of(), null)).toList();
        deleteTopics(internal);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Registers each spec's value schema under {@code <topic>-value}; returns subject → schema id. */
    public Map<String, Integer> registerSchemas(List<TopicSpec> specs, RegistryClient registry) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            if (spec.valueSchema() != null) {
                ids.put(spec.valueSubject(), registry.register(spec.valueSubject(), spec.valueSchema()));
            }
        }
        return ids;
    }

    public Set<String> existingTopics() {
        try {
            return admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot list topics: " + rootMessage(e), e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }

    private Map<String, TopicDescription> describeTopics(List<String> names) {
        try {
            return admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot describe topics " + names + ": " + rootMessage(e), e);
        }
    }

    private Map<String, Config> describeConfigs(List<String> names) {
        List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        try {
            return admin.describeConfigs(resources).all().get(TIMEOUT_S, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read configs of topics " + names + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
