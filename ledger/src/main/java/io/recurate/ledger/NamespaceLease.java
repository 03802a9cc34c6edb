package io.recurate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.recurate.topics.ClusterWait;
import io.recurate.topics.TopicPlan;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per namespace: a {@code run} or {@code publish} holds the namespace's lease while it writes, so that a
 * second one is refused at once with who holds it, instead of publishing the corpus again beside the first.
 *
 * <p>The lease lives in the cluster ({@link TopicPlan#lease()}), not in a local file, since two hosts can share a
 * cluster. Claims, heartbeats and releases are records of one partition, stamped by the broker; every reader folds
 * them in log order to the same holder ({@link Holder#fold}): a claim wins when nobody holds the lease, or the
 * holder's last record is older than {@link #EXPIRY} at the claim's time (a holder that died blocks for that long,
 * not for ever). A claimant writes its claim, reads the log up to it, and holds the lease only if the fold says so:
 * of two claims racing, the one the broker appended first wins, and the other is refused naming it.
 */
public final class NamespaceLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NamespaceLease.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A holder not heard of for this long has lost the lease to the next claim. */
    public static final Duration EXPIRY = Duration.ofSeconds(60);
    static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final String namespace;
    private final String topic;
    private final Claim mine;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Follows the topic on the heartbeat thread, so that a holder learns that it lost the lease. */
    private final Follower follower;
    private final ScheduledExecutorService heartbeat;
    private volatile Holder lostTo;

    private NamespaceLease(String namespace, String topic, Claim mine, KafkaProducer<byte[], byte[]> producer,
                           Follower follower) {
        this.namespace = namespace;
        this.topic = topic;
        this.mine = mine;
        this.producer = producer;
        this.follower = follower;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "namespace-lease");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Who claimed: a random id per claim, the command, host, process id and the claimant's own clock. */
    public record Claim(String id, String command, String host, long pid, Instant since) {
        static Claim here(String command) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "unknown-host";
            }
            return new Claim(UUID.randomUUID().toString(), command, host, ProcessHandle.current().pid(), Instant.now());
        }

        String describe() {
            return "'" + command + "' on " + host + " (pid " + pid + ") since " + since;
        }
    }

    /** A second writer on a namespace in use. */
    public static final class InUseException extends IllegalStateException {
        private final Claim holder;

        InUseException(String namespace, Claim holder, Duration silentFor) {
            super("Namespace '" + namespace + "' is in use by " + holder.describe() + ", last heard of "
                    + silentFor.toSeconds() + " s ago. Wait for it to end (or stop it); a holder that died frees the "
                    + "namespace " + EXPIRY.toSeconds() + " s after it was last heard of. Another --namespace works at once.");
            this.holder = holder;
        }

        public Claim holder() {
            return holder;
        }
    }

    /**
     * Claims the namespace for {@code command}; the topic must exist ({@link TopicPlan#baseTopics()}).
     *
     * @throws InUseException when another process holds it
     */
    public static NamespaceLease acquire(Map<String, Object> kafkaConfig, TopicPlan plan, String command) {
        String topic = plan.lease().name();
        Claim mine = Claim.here(command);
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        Follower follower = new Follower(kafkaConfig, topic);
        try {
            long offset = ClusterWait.until("claim " + topic, () -> send(producer, topic, "claim", mine));
            Holder holder = follower.through(offset);
            if (holder == null) {
                throw new IllegalStateException("The claim written to " + topic + " at offset " + offset + " was not read back");
            }
            if (!holder.claim().id().equals(mine.id())) {
                // Lost: nothing to release, and our claim can never win later (the fold judges claims where they are).
                throw new InUseException(plan.namespace(), holder.claim(), holder.silentFor(Instant.now()));
            }
            log.info("Namespace {} is this {}'s until it ends (lease {})", plan.namespace(), command, mine.id());
            return new NamespaceLease(plan.namespace(), topic, mine, producer, follower);
        } catch (RuntimeException e) {
            producer.close(Duration.ofSeconds(5));
            follower.close();
            throw e;
        }
    }

    /** Renews the lease and reads the topic up to the renewal: did another writer take it meanwhile? */
    private void beat() {
        try {
            long offset = send(producer, topic, "beat", mine);
            Holder holder = follower.through(offset);
            if (lostTo == null && holder != null && !holder.claim().id().equals(mine.id())) {
                lostTo = holder;
                log.error("Namespace {}: this {} lost its lease to {} (it was not heard of for over {} s)", namespace,
                        mine.command(), holder.claim().describe(), EXPIRY.toSeconds());
            }
        } catch (RuntimeException e) {
            log.debug("Could not renew the lease of {} (the cluster is away?): {}", topic, e.toString());
        }
    }

    /** Throws when another writer took the namespace (this one was silent for longer than {@link #EXPIRY}). */
    public void check() {
        Holder other = lostTo;
        if (other != null) {
            throw new IllegalStateException("Namespace '" + namespace + "' was taken over by " + other.claim().describe()
                    + " while this " + mine.command() + " was not heard of for over " + EXPIRY.toSeconds()
                    + " s (a long outage or pause); stopping so that two writers do not both write");
        }
    }

    /** Gives the namespace up; the next claim wins at once. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        follower.close();
        try {
            send(producer, topic, "release", mine);
        } catch (RuntimeException e) {
            log.warn("Could not release the lease of {} ({}); it lapses {} s after the last heartbeat", topic, e.toString(),
                    EXPIRY.toSeconds());
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, String topic, String event, Claim claim) {
        ObjectNode value = JSON.createObjectNode().put("event", event).put("id", claim.id()).put("command", claim.command())
                .put("host", claim.host()).put("pid", claim.pid()).put("since", claim.since().toString());
        try {
            return producer.send(new ProducerRecord<>(topic, 0, claim.id().getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(value))).get(60, TimeUnit.SECONDS).offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while writing to " + topic, e);
        } catch (Exception e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException("Cannot write to " + topic + ": " + e.getMessage(), e);
        }
    }

    /** Folds the topic from its start, as far as asked; one thread at a time. */
    private static final class Follower implements AutoCloseable {
        private final String topic;
        private final TopicPartition tp;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private Holder holder;
        private long next;

        Follower(Map<String, Object> kafkaConfig, String topic) {
            Map<String, Object> config = new HashMap<>(kafkaConfig);
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.topic = topic;
            this.tp = new TopicPartition(topic, 0);
            this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        /** The holder once the record at offset {@code through} is folded in. */
        Holder through(long through) {
            while (next <= through) {
                for (ConsumerRecord<byte[], byte[]> r : ClusterWait.until("read " + topic, () -> consumer.poll(Duration.ofMillis(200)))) {
                    holder = Holder.fold(holder, event(r)); // records past it only make the answer newer
                    next = r.offset() + 1;
                }
            }
            return holder;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** One record of the lease topic. */
    record Event(String kind, Claim claim, Instant at) {
    }

    static Event event(ConsumerRecord<byte[], byte[]> r) {
        try {
            JsonNode v = JSON.readTree(r.value());
            return new Event(v.path("event").asText(), new Claim(v.path("id").asText(), v.path("command").asText(),
                    v.path("host").asText(), v.path("pid").asLong(), Instant.parse(v.path("since").asText())),
                    Instant.ofEpochMilli(r.timestamp()));
        } catch (java.io.IOException | RuntimeException e) {
            // A record nobody of ours wrote: it claims nothing.
            return new Event("unknown", null, Instant.ofEpochMilli(r.timestamp()));
        }
    }

    /** The lease's holder and when it was last heard of (broker time), or null: nobody. */
    record Holder(Claim claim, Instant lastHeard) {
        Duration silentFor(Instant now) {
            Duration d = Duration.between(lastHeard, now);
            return d.isNegative() ? Duration.ZERO : d;
        }

        /** The holder after {@code e}: the one rule every reader applies in log order. */
        static Holder fold(Holder current, Event e) {
            if (e.claim() == null) {
                return current;
            }
            boolean free = current == null || Duration.between(current.lastHeard(), e.at()).compareTo(EXPIRY) > 0;
            boolean fromHolder = current != null && current.claim().id().equals(e.claim().id());
            return switch (e.kind()) {
                case "claim" -> free ? new Holder(e.claim(), e.at()) : current;
                // A beat of a holder whose claim aged out of the topic's retention still holds it.
                case "beat" -> fromHolder || current == null ? new Holder(e.claim(), e.at()) : current;
                case "release" -> fromHolder ? null : current;
                default -> current;
            };
        }
    }
}
