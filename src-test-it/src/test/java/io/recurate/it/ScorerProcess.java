package io.recurate.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recurate.model.onnx.Device;
import io.recurate.model.onnx.ScorerSettings;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.scorer.BatchSettings;
import io.recurate.scorer.ScorerService;
import io.recurate.scorer.ScorerServiceConfig;
import io.recurate.serde.RecurateSerdes;
import io.recurate.topics.RecurateTopics;
import io.recurate.topics.TopicPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * The real scorer service in a JVM of its own, so that a test can kill it with SIGKILL:
 * {@code ScorerProcess <bootstrap> <registry> <namespace> <pass> <stateDir> <batch> [client.properties]}; the
 * optional properties file adds Kafka client settings (security) and the registry's {@code basic.auth.user.info}.
 */
public final class ScorerProcess {
    private ScorerProcess() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> kafka = new java.util.HashMap<>();
        Map<String, Object> registryConfig = new java.util.HashMap<>(Map.of(RegistryConfig.URL, args[1]));
        if (args.length > 6) {
            java.util.Properties extra = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(Path.of(args[6]))) {
                extra.load(in);
            }
            extra.forEach((k, v) -> (RegistryConfig.isRegistryKey(k.toString()) ? registryConfig : kafka)
                    .put(k.toString(), v.toString()));
        }
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        RegistryClient registry = new RegistryClient(RegistryConfig.fromMap(registryConfig));
        TopicPlan plan = new TopicPlan(args[2], 3, (short) 1);
        int batch = Integer.parseInt(args[5]);
        ScorerServiceConfig config = new ScorerServiceConfig(kafka, args[2], Path.of(args[4]), true, 1,
                new BatchSettings(batch, Duration.ofMillis(50)), new ScorerSettings(Device.CPU, 1, batch), Duration.ofSeconds(10));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ScorerService service = new ScorerService(config, new RecurateTopics(plan, new RecurateSerdes(registry)),
                registry, meters, Integer.parseInt(args[3]))) {
            service.run();
        }
        // Every meter with its tags, so that a test can read what the metrics endpoint would show.
        meters.getMeters().forEach(m -> System.out.println("metric " + m.getId() + " " + m.measure()));
        System.exit(0);
    }
}
