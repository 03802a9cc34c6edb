package io.recurate.cli;

import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * Where the cluster is. With no bootstrap servers given, the services started by
 * {@code recurate up} are used.
 */
final class ClusterOptions {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterOptions.class);
    static final int DEFAULT_PARTITIONS = 6;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Kafka bootstrap servers (default: the embedded broker of 'recurate up').")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL,...",
            description = "Schema registry URL(s) (default: the embedded registry of 'recurate up').")
    String registryUrl;

    @Option(names = "--registry-user-info", paramLabel = "USER:PASSWORD",
            description = "Basic-auth credentials for the schema registry.")
    String registryUserInfo;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Client properties added to every client: Kafka's (security.protocol, sasl.*, ssl.*...) and the "
                    + "registry's (schema.registry.ssl.truststore.*, schema.registry.ssl.keystore.*, basic.auth.user.info).")
    Path kafkaConfig;

    @Option(names = "--namespace", defaultValue = TopicPlan.DEFAULT_NAMESPACE, paramLabel = "NS",
            description = "Prefix of every topic, so experiments can share a cluster (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of document topics, the most scorer instances a pass can use (default: those of "
                    + "the namespace's existing ingest topic, else 6).")
    Integer partitions;

    @Option(names = "--replication", paramLabel = "N",
            description = "Replication factor of new topics (default: min(3, brokers in the cluster)).")
    Short replication;

    @Option(names = "--min-insync-replicas", paramLabel = "N",
            description = "min.insync.replicas of new topics (default: min(2, replication)).")
    Integer minInsyncReplicas;

    @Option(names = "--home", defaultValue = ".recurate", paramLabel = "DIR",
            description = "Folder of the embedded services' data and state (default: ${DEFAULT-VALUE}).")
    Path home;

    /** The cluster to talk to: flags, else the running embedded services, else a clear error. */
    Cluster resolve() {
        return resolveIfAvailable().orElseThrow(() ->
                new IllegalArgumentException("No cluster: pass --bootstrap-servers (and --schema-registry-url), "
                        + "or start the embedded services with 'bin/recurate up'"));
    }

    /** Like {@link #resolve()}, but empty when there is no cluster to talk to. */
    java.util.Optional<Cluster> resolveIfAvailable() {
        String bootstrap = bootstrapServers;
        String registry = registryUrl;
        if (bootstrap == null) {
            java.util.Optional<EmbeddedServices.State> state = new EmbeddedServices(home).running();
            if (state.isEmpty()) {
                return java.util.Optional.empty();
            }
            bootstrap = state.get().bootstrapServers();
            registry = registry == null ? state.get().registryUrl() : registry;
        }
        return java.util.Optional.of(cluster(bootstrap, registry));
    }

    /** A cluster at the given addresses, with this command's security settings and namespace. */
    Cluster cluster(String bootstrap, String registry) {
        Map<String, Object> kafka = new HashMap<>();
        Map<String, Object> registryClient = new HashMap<>();
        readProperties(kafkaConfig).forEach((k, v) -> (RegistryConfig.isRegistryKey(k) ? registryClient : kafka).put(k, v));
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new Cluster(kafka, registry, registryUserInfo, registryClient, namespace,
                new PlanChoice(partitions, replication, minInsyncReplicas));
    }

    /** Client properties from a file (--kafka-config); empty when no file is named. */
    static Map<String, Object> readProperties(Path file) {
        Map<String, Object> out = new HashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read --kafka-config " + file, e);
            }
            p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        }
        return out;
    }

    /** The plan's shape as the user gave it (null: decided from the cluster). */
    record PlanChoice(Integer partitions, Short replication, Integer minInsyncReplicas) {
    }

    /** A resolved cluster: Kafka client settings, registry, namespace and the plan's shape. */
    record Cluster(Map<String, Object> kafkaConfig, String registryUrl, String registryUserInfo,
                   Map<String, Object> registryClientConfig, String namespace, PlanChoice choice) {

        /**
         * The one topic plan every command uses: the flags (or RECURATE_* variables, or the properties file)
         * where given; else the partitions of the namespace's existing ingest topic (6 for a new namespace),
         * replication min(3, brokers) and min.insync.replicas min(2, replication).
         */
        TopicPlan plan() {
            try (TopicAdmin admin = new TopicAdmin(kafkaConfig)) {
                int brokers = admin.brokerCount();
                short replication = choice.replication() != null ? choice.replication() : (short) Math.min(3, brokers);
                if (replication > brokers) {
                    throw new IllegalArgumentException("--replication " + replication + " needs at least " + replication
                            + " brokers; the cluster has " + brokers);
                }
                String ingest = namespace + ".docs.ingest";
                int partitions = choice.partitions() != null ? choice.partitions()
                        : admin.partitionCount(ingest).orElse(DEFAULT_PARTITIONS);
                int minInsync = choice.minInsyncReplicas() != null ? choice.minInsyncReplicas() : Math.min(2, replication);
                TopicPlan plan = new TopicPlan(namespace, partitions, replication, minInsync);
                log.info("Topic plan of namespace {}: {} ({} broker{})", namespace, plan.describe(), brokers,
                        brokers == 1 ? "" : "s");
                return plan;
            }
        }

        RecurateTopics topics() {
            return topics(plan());
        }

        /**
         * For the long-running services (scorer, trainer, run): the registry client waits out an outage of any
         * length, as their Kafka clients do, unless the properties file sets schema.registry.max.attempts.
         */
        Cluster forServices() {
            Map<String, Object> registryConfig = new HashMap<>(registryClientConfig);
            registryConfig.putIfAbsent(RegistryConfig.MAX_ATTEMPTS, 0);
            return new Cluster(kafkaConfig, registryUrl, registryUserInfo, Map.copyOf(registryConfig), namespace, choice);
        }

        RegistryClient registry() {
            if (registryUrl == null) {
                throw new IllegalArgumentException("No schema registry: pass --schema-registry-url");
            }
            Map<String, Object> conf = new HashMap<>(registryClientConfig);
            conf.put(RegistryConfig.URL, registryUrl);
            if (registryUserInfo != null) {
                conf.put(RegistryConfig.BASIC_AUTH_USER_INFO, registryUserInfo);
            }
            return new RegistryClient(RegistryConfig.fromMap(conf));
        }

        RecurateTopics topics(TopicPlan plan) {
            return new RecurateTopics(plan, new RecurateSerdes(registry()));
        }

        /** For the start-of-command log line: no secrets. */
        String describe() {
            return "bootstrap=" + kafkaConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    + ", registry=" + (registryUrl == null ? "none" : RegistryConfig.fromMap(Map.of(RegistryConfig.URL, registryUrl)).displayUrls())
                    + ", namespace=" + namespace
                    + (kafkaConfig.containsKey("security.protocol") ? ", security=" + kafkaConfig.get("security.protocol") : "");
        }
    }
}
