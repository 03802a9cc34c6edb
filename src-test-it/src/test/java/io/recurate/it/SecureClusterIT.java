package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.model.bundle.ModelBundle;
import io.recurate.model.onnx.OnnxExporter;
import io.recurate.model.train.Example;
import io.recurate.model.train.Trainer;
import io.recurate.model.train.TrainerSettings;
import io.recurate.model.train.TrainingListener;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.registry.RegistryException;
import io.recurate.registry.RegistryTls;
import io.recurate.schemas.Document;
import io.recurate.schemas.ModelVersion;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicAdmin;
import io.recurate.topics.TopicPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker with SASL SCRAM-SHA-512 and the registry with basic auth over TLS: the pipeline works
 * with credentials and the registry's certificate in a truststore, is refused without them, and no password
 * reaches the logs or the metrics of an authenticated run.
 */
class SecureClusterIT {

    @Test
    void pipelineWorksWithCredentialsIsRefusedWithoutAndLogsNoSecret() throws Exception {
        String kafkaPassword = "kp-" + UUID.randomUUID();
        String registryPassword = "rp-" + UUID.randomUUID();
        BrokerSettings.ScramUser user = new BrokerSettings.ScramUser("recurate", kafkaPassword);
        Path home = TestCluster.workDir().resolve("secure-" + UUID.randomUUID());
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")).withScram(user))) {
            Map<String, Object> kafka = new HashMap<>(user.clientConfig());
            kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());

            // Without credentials the broker lets nobody in.
            try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000))) {
                assertThatThrownBy(() -> anonymous.listTopics().names().get(6, TimeUnit.SECONDS)).isNotNull();
            }
            Map<String, Object> wrong = new HashMap<>(new BrokerSettings.ScramUser("recurate", "wrong").clientConfig());
            wrong.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            wrong.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
            wrong.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            try (Admin impostor = Admin.create(wrong)) {
                assertThatThrownBy(() -> impostor.listTopics().names().get(10, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
            }

            String storePassword = "sp-" + UUID.randomUUID();
            Tls tls = Tls.selfSigned(home.resolve("tls"), storePassword);
            try (EmbeddedRegistry registryServer = EmbeddedRegistry.start(new EmbeddedRegistry.Settings(kafka, "127.0.0.1", 0,
                    "_schemas", (short) 1, "registry:" + registryPassword).withTls(tls.keystore(), storePassword))) {
                assertThat(registryServer.url()).startsWith("https://");
                Map<String, Object> trust = Map.of(RegistryTls.TRUSTSTORE_LOCATION, tls.truststore().toString(),
                        RegistryTls.TRUSTSTORE_PASSWORD, storePassword);
                // Without a truststore that trusts the registry's certificate: a clear TLS error, at once.
                RegistryClient untrusting = new RegistryClient(RegistryConfig.fromMap(Map.of(RegistryConfig.URL,
                        registryServer.url(), RegistryConfig.BASIC_AUTH_USER_INFO, "registry:" + registryPassword)));
                long started = System.nanoTime();
                assertThatThrownBy(untrusting::subjects).isInstanceOf(RegistryException.class)
                        .hasMessageContaining("TLS with schema registry").hasMessageContaining(RegistryTls.TRUSTSTORE_LOCATION);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no retries for a certificate problem")
                        .isLessThan(Duration.ofSeconds(20));
                // Without the registry's credentials: 401.
                Map<String, Object> anonymousConfig = new HashMap<>(trust);
                anonymousConfig.put(RegistryConfig.URL, registryServer.url());
                RegistryClient anonymousRegistry = new RegistryClient(RegistryConfig.fromMap(anonymousConfig));
                assertThatThrownBy(() -> anonymousRegistry.subjects()).isInstanceOf(RegistryException.class)
                        .satisfies(e -> assertThat(((RegistryException) e).httpStatus()).isEqualTo(401));
                Map<String, Object> registryConfig = new HashMap<>(anonymousConfig);
                registryConfig.put(RegistryConfig.BASIC_AUTH_USER_INFO, "registry:" + registryPassword);
                RegistryClient registry = new RegistryClient(RegistryConfig.fromMap(registryConfig));
                assertThat(registry.config().toString()).doesNotContain(registryPassword).doesNotContain(storePassword);

                TopicPlan plan = new TopicPlan("secure", 3, (short) 1);
                RecurateTopics topics = new RecurateTopics(plan, new RecurateSerdes(registry));
                try (TopicAdmin admin = new TopicAdmin(kafka)) {
                    admin.ensure(plan.baseTopics());
                }
                List<String> ids = publish(kafka, topics, 500);
                ModelVersion v1 = model(kafka, topics, home);
                Ledgers.start(kafka, topics, 1, SourceMode.FULL, plan.ingest().name(), "filter", v1.getVersion(), 0.5f);

                // The real scorer in its own JVM, configured with the credentials in a client properties file.
                Path clientProperties = home.resolve("client.properties");
                List<String> lines = new ArrayList<>();
                user.clientConfig().forEach((k, v) -> lines.add(k + "=" + v.toString().replace("\\", "\\\\")));
                lines.add(RegistryConfig.BASIC_AUTH_USER_INFO + "=registry:" + registryPassword);
                lines.add(RegistryTls.TRUSTSTORE_LOCATION + "=" + tls.truststore().toString().replace("\\", "\\\\"));
                lines.add(RegistryTls.TRUSTSTORE_PASSWORD + "=" + storePassword);
                Files.write(clientProperties, lines);
                Path log = home.resolve("scorer.log");
                Process scorer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                        "-Xmx512m", "-cp", System.getProperty("java.class.path"), ScorerProcess.class.getName(),
                        broker.bootstrapServers(), registryServer.url(), plan.namespace(), "1",
                        home.resolve("streams").toString(), "64", clientProperties.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    assertThat(scorer.waitFor(3, TimeUnit.MINUTES)).as("the scorer finishes the pass").isTrue();
                } finally {
                    scorer.destroyForcibly();
                }
                assertThat(scorer.exitValue()).as(Files.readString(log)).isZero();

                PassStatus[] status = new PassStatus[1];
                io.recurate.topics.Topic<String, PassStatus> passes = topics.passes();
                Map<String, Object> reader = new HashMap<>(kafka);
                reader.put("group.id", "it-" + UUID.randomUUID());
                reader.put("auto.offset.reset", "earliest");
                try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(reader,
                        passes.keySerde().deserializer(), passes.valueSerde().deserializer())) {
                    consumer.subscribe(List.of(passes.name()));
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (System.nanoTime() < deadline && (status[0] == null || status[0].getState() != PassState.SCORED)) {
                        consumer.poll(Duration.ofMillis(200)).forEach(r -> status[0] = r.value());
                    }
                }
                assertThat(status[0].getState()).isEqualTo(PassState.SCORED);
                assertThat(status[0].getCounts().getInput()).isEqualTo(ids.size());

                String logs = Files.readString(log);
                assertThat(logs).as("the scorer's metrics are in its log").contains("metric MeterId{name='recurate.scorer");
                assertThat(logs).as("scorer log and metrics").doesNotContain(kafkaPassword).doesNotContain(registryPassword)
                        .doesNotContain(storePassword);
                for (Path file : List.of(broker.home().resolve("logs/server.log"), broker.home().resolve("logs/broker-console.log"))) {
                    if (Files.exists(file)) {
                        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(kafkaPassword);
                    }
                }
            }
        }
    }

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, and a truststore holding it. */
    record Tls(Path keystore, Path truststore) {
        static Tls selfSigned(Path dir, String password) throws Exception {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("registry.p12");
            Path cert = dir.resolve("registry.crt");
            Path truststore = dir.resolve("truststore.p12");
            keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", password,
                    "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                    "-keystore", truststore.toString(), "-storepass", password);
            return new Tls(keystore, truststore);
        }

        private static void keytool(String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
    }

    private static List<String> publish(Map<String, Object> kafka, RecurateTopics topics, int count) {
        var ingest = topics.ingest();
        List<String> ids = new ArrayList<>();
        try (var producer = new KafkaProducer<>(kafka, ingest.keySerde().serializer(), ingest.valueSerde().serializer())) {
            for (int i = 0; i < count; i++) {
                Document d = Pipeline.document(i);
                producer.send(new ProducerRecord<>(ingest.name(), d.getId(), d));
                ids.add(d.getId());
            }
        }
        return ids;
    }

    private static ModelVersion model(Map<String, Object> kafka, RecurateTopics topics, Path home) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            examples.add(Example.of(Pipeline.document(i).getText(), Pipeline.isSpam(i)));
        }
        Path dir = home.resolve("models/v1");
        ModelBundle bundle = ModelBundle.write(new Trainer(Pipeline.SPEC, TrainerSettings.defaults())
                .train(examples.iterator(), TrainingListener.NONE).model(), new ModelBundle.Description("filter", "v1", null,
                0.5f, Map.of(), Map.of()), OnnxExporter.defaults(), dir);
        ModelVersion mv = ModelVersion.newBuilder().setName("filter").setVersion("v1").setArtifactUri(dir.toUri().toString())
                .setSha256(bundle.manifest().sha256()).setFeaturizerSpec(Pipeline.SPEC.toJson()).setThreshold(0.5f)
                .setCreatedAt(Instant.now()).build();
        var models = topics.models();
        try (var producer = new KafkaProducer<>(kafka, models.keySerde().serializer(), models.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(models.name(), "filter:v1", mv));
        }
        return mv;
    }
}
