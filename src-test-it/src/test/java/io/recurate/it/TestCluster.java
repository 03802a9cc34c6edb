package io.recurate.it;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real broker and schema registry for integration tests, chosen in this order:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} when set (an existing cluster);</li>
 *   <li>Testcontainers ({@code apache/kafka}, {@code confluentinc/cp-schema-registry}) when Docker runs;</li>
 *   <li>else the embedded KRaft broker (child JVM) and embedded registry.</li>
 * </ol>
 * One per test JVM, shared by every test class; each test uses its own namespace.
 */
public final class TestCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TestCluster.class);
    static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
    static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.1.0";
    private static final AtomicInteger namespaces = new AtomicInteger();

    public enum Kind { EXTERNAL, TESTCONTAINERS, EMBEDDED }

    private final Kind kind;
    private final String bootstrapServers;
    private final String registryUrl;
    private final AutoCloseable[] resources;
    private final EmbeddedBroker embeddedBroker;

    private TestCluster(Kind kind, String bootstrapServers, String registryUrl, EmbeddedBroker embeddedBroker,
                        AutoCloseable... resources) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.embeddedBroker = embeddedBroker;
        this.resources = resources;
    }

    static TestCluster start() {
        long started = System.nanoTime();
        TestCluster cluster = choose();
        log.info("Integration tests run against {} cluster: bootstrap {}, registry {} (ready in {} ms)",
                cluster.kind, cluster.bootstrapServers, cluster.registryUrl, (System.nanoTime() - started) / 1_000_000);
        return cluster;
    }

    private static TestCluster choose() {
        String bootstrap = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        String registry = System.getenv("SCHEMA_REGISTRY_URL");
        if (bootstrap != null && !bootstrap.isBlank() && registry != null && !registry.isBlank()) {
            return new TestCluster(Kind.EXTERNAL, bootstrap, registry, null);
        }
        if (dockerAvailable()) {
            return startContainers();
        }
        return startEmbedded();
    }

    private static boolean dockerAvailable() {
        if (System.getenv("RECURATE_IT_NO_DOCKER") != null) {
            return false;
        }
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(Path.of("/var/run/docker.sock"))) {
            log.info("No Docker engine (no DOCKER_HOST, no /var/run/docker.sock); using the embedded broker and registry");
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            log.info("Docker is not available ({}); using the embedded broker and registry", e.toString());
            return false;
        }
    }

    @SuppressWarnings("resource")
    private static TestCluster startContainers() {
        Network network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(network).withNetworkAliases("kafka").withListener("kafka:19092")
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", Integer.toString(EmbeddedBroker.MAX_MESSAGE_BYTES));
        kafka.start();
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
                .withNetwork(network)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .withExposedPorts(8081)
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        registry.start();
        String url = "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
        return new TestCluster(Kind.TESTCONTAINERS, kafka.getBootstrapServers(), url, null, registry, kafka, network);
    }

    private static TestCluster startEmbedded() {
        Path home = workDir().resolve("kafka-" + UUID.randomUUID());
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home));
        EmbeddedRegistry registry = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()));
        return new TestCluster(Kind.EMBEDDED, broker.bootstrapServers(), registry.url(), broker, registry, broker);
    }

    /** A cluster a test started itself (to kill its broker, say); closing it is the test's business. */
    static TestCluster of(String bootstrapServers, String registryUrl) {
        return new TestCluster(Kind.EXTERNAL, bootstrapServers, registryUrl, null);
    }

    /** Folder for test data: target/it under Maven. */
    public static Path workDir() {
        return Path.of(System.getProperty("recurate.it.workdir", "target/it")).toAbsolutePath();
    }

    public Kind kind() {
        return kind;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    /** The embedded broker, for tests that stop and start it; null on other kinds of cluster. */
    public EmbeddedBroker embeddedBroker() {
        return embeddedBroker;
    }

    /** Client configuration with the bootstrap servers; callers add their own keys. */
    public Map<String, Object> kafkaConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    public RegistryClient registryClient() {
        return new RegistryClient(RegistryConfig.of(registryUrl));
    }

    /** A namespace no other test uses, so tests never see each other's topics. */
    public static String uniqueNamespace(String prefix) {
        return prefix + "-" + namespaces.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
