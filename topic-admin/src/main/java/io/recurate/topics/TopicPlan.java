package io.recurate.topics;

import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassProgress;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.ScoredDocument;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics of one namespace (DESIGN.md's table), the only place where topic names are spelled.
 * Document topics keep their data forever (a corpus and its decisions are the audit trail) and
 * accept records up to {@link #MAX_MESSAGE_BYTES}; models, passes and schemas are compacted.
 */
public final class TopicPlan {
    public static final String DEFAULT_NAMESPACE = "recurate";
    /** Room for a 50 MB document plus its envelope; the broker must allow at least this much. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    public static final String SCHEMAS_TOPIC = "_schemas";
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private final String namespace;
    private final int partitions;
    private final short replication;
    private final int minInsyncReplicas;

    /** With {@code min.insync.replicas} min(2, replication): an acknowledged write survives the loss of one broker. */
    public TopicPlan(String namespace, int partitions, short replication) {
        this(namespace, partitions, replication, Math.min(2, replication));
    }

    /**
     * @param namespace         prefix of every topic, so that experiments can share a cluster
     * @param partitions        partitions of document topics: the most scorer instances a pass can use
     * @param replication       replication factor of every topic
     * @param minInsyncReplicas replicas that must have a write before it is acknowledged ({@code acks=all})
     */
    public TopicPlan(String namespace, int partitions, short replication, int minInsyncReplicas) {
        if (namespace == null || !LEGAL.matcher(namespace).matches() || namespace.length() > 100) {
            throw new IllegalArgumentException("Namespace '" + namespace + "' is not usable in topic names: "
                    + "use 1 to 100 of the characters a-z A-Z 0-9 . _ -");
        }
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("Partitions and replication must be at least 1, got "
                    + partitions + " and " + replication);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replication) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication factor "
                    + replication + ", got " + minInsyncReplicas);
        }
        this.namespace = namespace;
        this.partitions = partitions;
        this.replication = replication;
        this.minInsyncReplicas = minInsyncReplicas;
    }

    /** Namespace {@code recurate}, 6 partitions, replication 1: the embedded single-node layout. */
    public static TopicPlan defaults() {
        return new TopicPlan(DEFAULT_NAMESPACE, 6, (short) 1);
    }

    public String namespace() {
        return namespace;
    }

    public int partitions() {
        return partitions;
    }

    public short replication() {
        return replication;
    }

    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    /** "6 partitions, replication 3, min.insync.replicas 2", for logs. */
    public String describe() {
        return partitions + " partitions, replication " + replication + ", min.insync.replicas " + minInsyncReplicas;
    }

    public TopicSpec ingest() {
        return documents(namespace + ".docs.ingest", Document.getClassSchema());
    }

    public TopicSpec kept(int pass) {
        return kept(pass, null);
    }

    public TopicSpec removed(int pass) {
        return removed(pass, null);
    }

    /**
     * The kept topic of a variant of a pass: the pass replayed with another model for comparison
     * ({@code <ns>.pass.<n>.<variant>.kept}); a null variant is the pass itself.
     */
    public TopicSpec kept(int pass, String variant) {
        return documents(passPrefix(pass, variant) + ".kept", ScoredDocument.getClassSchema());
    }

    public TopicSpec removed(int pass, String variant) {
        return documents(passPrefix(pass, variant) + ".removed", ScoredDocument.getClassSchema());
    }

    /** The scorer's exact per-partition progress of a pass; compacted, keyed by source partition. */
    public TopicSpec progress(int pass) {
        return progress(pass, null);
    }

    public TopicSpec progress(int pass, String variant) {
        return compacted(passPrefix(pass, variant) + ".progress", 1, PassProgress.getClassSchema());
    }

    public TopicSpec annotations() {
        return documents(namespace + ".annotations", Annotation.getClassSchema());
    }

    /** Records that could not be read or scored, as their original bytes. */
    public TopicSpec dlq() {
        return documents(namespace + ".dlq", null);
    }

    public TopicSpec models() {
        return compacted(namespace + ".models", 1, ModelVersion.getClassSchema());
    }

    public TopicSpec passes() {
        return compacted(namespace + ".passes", 1, PassStatus.getClassSchema());
    }

    /**
     * Model bundles stored in Kafka (the trainer's {@code --artifact-store kafka}): files in chunks of at most
     * {@link #BUNDLE_CHUNK_BYTES}, compacted, keyed {@code <model>/<version>[/fold-k]/<file>#<chunk>}; raw bytes.
     */
    public TopicSpec bundles() {
        TopicSpec spec = compacted(namespace + ".bundles", 1, null);
        Map<String, String> configs = new HashMap<>(spec.configs());
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(2 * BUNDLE_CHUNK_BYTES));
        return new TopicSpec(spec.name(), spec.partitions(), spec.replication(), configs, null);
    }

    /**
     * Embeddings a scorer computed with a pretrained encoder, so that no other process (a trainer, a restarted scorer)
     * runs the encoder again on the same text: compacted, keyed {@code <encoder sha256>:<text sha256, 128 bits>} (hex),
     * the value the vector as little-endian float32 (1,536 bytes for 384 dimensions), no schema.
     */
    public TopicSpec embeddings() {
        return compacted(namespace + ".embeddings", partitions, null);
    }

    /**
     * Who writes to the namespace (a {@code run} or a {@code publish}): claims, heartbeats and releases as JSON, one
     * partition so that every reader sees them in one order, stamped by the broker ({@code LogAppendTime}) so that a
     * lease's age does not depend on the clocks of the hosts that share the cluster; a day of them is kept.
     */
    public TopicSpec lease() {
        Map<String, String> configs = common();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(1).toMillis()));
        configs.put(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(java.time.Duration.ofHours(1).toMillis()));
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        return new TopicSpec(namespace + ".lease", 1, replication, configs, null);
    }

    /** The largest chunk of a bundle file in {@link #bundles()}. */
    public static final int BUNDLE_CHUNK_BYTES = 1024 * 1024;

    /** The schema registry's own topic; shared by every namespace of the cluster. */
    public TopicSpec schemas() {
        return compacted(SCHEMAS_TOPIC, 1, null);
    }

    /** The topics a namespace needs before its first pass. */
    public List<TopicSpec> baseTopics() {
        return List.of(ingest(), annotations(), models(), passes(), dlq(), bundles(), embeddings(), lease());
    }

    /** The topics of one pass, created when the pass starts. */
    public List<TopicSpec> passTopics(int pass) {
        return passTopics(pass, null);
    }

    public List<TopicSpec> passTopics(int pass, String variant) {
        return List.of(kept(pass, variant), removed(pass, variant), progress(pass, variant));
    }

    /** Pass number of a topic of this namespace, or -1 when it is not a pass topic. */
    public int passOf(String topic) {
        var m = Pattern.compile(Pattern.quote(namespace) + "\\.pass\\.(\\d+)\\.(kept|removed|progress)").matcher(topic);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String passPrefix(int pass) {
        if (pass < 1) {
            throw new IllegalArgumentException("Passes are numbered from 1, got " + pass);
        }
        return namespace + ".pass." + pass;
    }

    private String passPrefix(int pass, String variant) {
        if (variant == null) {
            return passPrefix(pass);
        }
        if (!LEGAL.matcher(variant).matches() || variant.equals("kept") || variant.equals("removed")) {
            throw new IllegalArgumentException("Variant '" + variant + "' is not usable in topic names");
        }
        return passPrefix(pass) + "." + variant;
    }

    private TopicSpec documents(String name, Schema schema) {
        Map<String, String> configs = common();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        configs.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES));
        return new TopicSpec(name, partitions, replication, configs, schema);
    }

    private TopicSpec compacted(String name, int partitionCount, Schema schema) {
        Map<String, String> configs = common();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return new TopicSpec(name, partitionCount, replication, configs, schema);
    }

    private Map<String, String> common() {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas));
        return configs;
    }
}
