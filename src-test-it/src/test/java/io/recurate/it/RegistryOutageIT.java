package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.Ports;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.registry.RegistryClient;
import io.recurate.registry.RegistryConfig;
import io.recurate.schemas.Annotation;
import io.recurate.schemas.Document;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The registry down for a while: clients retry with backoff, then go on where they were. */
@ExtendWith(ClusterExtension.class)
class RegistryOutageIT {

    @Test
    void clientsRetryWhileTheRegistryIsDownAndResumeWhenItIsBack(TestCluster cluster) throws Exception {
        String topic = "_schemas-outage-" + UUID.randomUUID();
        int port = Ports.freeOr(0);
        EmbeddedRegistry.Settings settings = new EmbeddedRegistry.Settings(cluster.kafkaConfig(), "127.0.0.1", port, topic,
                (short) 1, null);
        EmbeddedRegistry first = EmbeddedRegistry.start(settings);
        RegistryClient client = new RegistryClient(RegistryConfig.of(first.url()));
        int documentId = client.register("a-value", Document.getClassSchema());
        first.close(); // down

        CompletableFuture<EmbeddedRegistry> back = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(6_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return EmbeddedRegistry.start(settings); // back on the same port, same schema topic
        });
        try {
            long started = System.nanoTime();
            int annotationId = client.register("b-value", Annotation.getClassSchema()); // retries until it is back
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isGreaterThanOrEqualTo(5);
            assertThat(annotationId).isNotEqualTo(documentId);
            assertThat(client.lookup("a-value", Document.getClassSchema()).id()).isEqualTo(documentId);
        } finally {
            back.get(60, TimeUnit.SECONDS).close();
        }
    }
}
