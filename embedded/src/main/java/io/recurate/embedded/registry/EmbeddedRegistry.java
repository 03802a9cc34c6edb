package io.recurate.embedded.registry;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry for embedded mode and tests: Confluent's REST API, Avro
 * only, schemas kept in a compacted Kafka topic so that ids survive restarts. One instance per
 * topic (it is the only writer); Confluent's own registry replaces it on a real cluster.
 */
public final class EmbeddedRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRegistry.class);

    /**
     * @param kafkaConfig  client configuration of the cluster holding the schema topic (bootstrap, security)
     * @param host         address to bind; loopback by default, so nothing outside this machine can write schemas
     * @param port         port to listen on, 0 for any free port
     * @param topic        the schema topic, {@code _schemas} like Confluent's
     * @param replication  replication factor of the schema topic when it is created
     * @param userInfo     {@code user:password} required by HTTP basic auth, or null for none
     * @param tlsKeystore  PKCS12 keystore with the server's key and certificate: serve https; null for http
     */
    public record Settings(Map<String, Object> kafkaConfig, String host, int port, String topic, short replication,
                           String userInfo, Path tlsKeystore, String tlsKeystorePassword) {
        public Settings(Map<String, Object> kafkaConfig, String host, int port, String topic, short replication, String userInfo) {
            this(kafkaConfig, host, port, topic, replication, userInfo, null, null);
        }

        public static Settings forBootstrap(String bootstrapServers) {
            return new Settings(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                    "127.0.0.1", 0, "_schemas", (short) 1, null);
        }

        public Settings withPort(int value) {
            return new Settings(kafkaConfig, host, value, topic, replication, userInfo, tlsKeystore, tlsKeystorePassword);
        }

        public Settings withHost(String value) {
            return new Settings(kafkaConfig, value, port, topic, replication, userInfo, tlsKeystore, tlsKeystorePassword);
        }

        public Settings withBasicAuth(String value) {
            return new Settings(kafkaConfig, host, port, topic, replication, value, tlsKeystore, tlsKeystorePassword);
        }

        public Settings withTls(Path keystore, String password) {
            return new Settings(kafkaConfig, host, port, topic, replication, userInfo, keystore, password);
        }

        @Override
        public String toString() {
            return "Settings[host=" + host + ", port=" + port + ", topic=" + topic + ", basicAuth=" + (userInfo != null)
                    + ", tls=" + (tlsKeystore != null) + "]";
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final KafkaSchemaStore store;
    private final String url;

    private EmbeddedRegistry(HttpServer server, ExecutorService executor, KafkaSchemaStore store, String url) {
        this.server = server;
        this.executor = executor;
        this.store = store;
        this.url = url;
    }

    public static EmbeddedRegistry start(Settings settings) {
        Map<String, Object> kafka = new HashMap<>(settings.kafkaConfig());
        return serve(KafkaSchemaStore.open(kafka, settings.topic(), settings.replication()), settings);
    }

    /**
     * The same registry and REST API with nothing persisted, on a free loopback port: for unit tests
     * (e.g. with TopologyTestDriver) that need real serdes but no broker.
     */
    public static EmbeddedRegistry startInMemory() {
        return serve(KafkaSchemaStore.inMemory(), new Settings(Map.of(), "127.0.0.1", 0, "(memory)", (short) 1, null));
    }

    private static EmbeddedRegistry serve(KafkaSchemaStore store, Settings settings) {
        long started = System.nanoTime();
        HttpServer server;
        try {
            InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
            if (settings.tlsKeystore() != null) {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(serverTls(settings)));
                server = https;
            } else {
                server = HttpServer.create(address, 64);
            }
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("Cannot listen on " + settings.host() + ":" + settings.port()
                    + " for the schema registry", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "registry-http");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", new RegistryHttpApi(store, settings.userInfo()));
        server.setExecutor(executor);
        server.start();
        String url = (settings.tlsKeystore() != null ? "https://" : "http://") + settings.host() + ":" + server.getAddress().getPort();
        log.info("Embedded schema registry ready at {} (topic '{}', basic auth {}, TLS {}) in {} ms", url, settings.topic(),
                settings.userInfo() == null ? "off" : "on", settings.tlsKeystore() == null ? "off" : "on", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new EmbeddedRegistry(server, executor, store, url);
    }

    private static SSLContext serverTls(Settings settings) {
        char[] password = settings.tlsKeystorePassword() == null ? null : settings.tlsKeystorePassword().toCharArray();
        try (var in = java.nio.file.Files.newInputStream(settings.tlsKeystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot use TLS keystore " + settings.tlsKeystore() + ": " + e.getMessage(), e);
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        store.close();
        log.info("Embedded schema registry at {} stopped", url);
    }
}
