package io.recurate.cli;

import io.recurate.embedded.registry.EmbeddedRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Run the embedded Confluent-compatible schema registry in the foreground until SIGTERM.",
                "It keeps its schemas in a compacted Kafka topic, so ids survive restarts."})
final class RegistryCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...",
            description = "Kafka cluster that holds the schema topic.")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties (security settings).")
    Path kafkaConfig;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;

    @Option(names = "--port", defaultValue = "8081", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--topic", defaultValue = "_schemas", description = "Schema topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--replication", defaultValue = "1",
            description = "Replication factor of the schema topic when created (default: ${DEFAULT-VALUE}).")
    short replication;

    @Option(names = "--basic-auth", paramLabel = "USER:PASSWORD",
            description = "Require HTTP basic auth with these credentials (better set by RECURATE_BASIC_AUTH).")
    String basicAuth;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Object> kafka = ClusterOptions.readProperties(kafkaConfig);
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        EmbeddedRegistry registry = EmbeddedRegistry.start(new EmbeddedRegistry.Settings(kafka, host, port, topic,
                replication, basicAuth));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            registry.close();
            stopped.countDown();
        }, "registry-stop"));
        stopped.await();
        return 0;
    }
}
