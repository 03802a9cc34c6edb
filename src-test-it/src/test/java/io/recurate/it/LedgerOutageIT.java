package io.recurate.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.registry.EmbeddedRegistry;
import io.recurate.ledger.PassLedger;
import io.recurate.schemas.PassState;
import io.recurate.schemas.PassStatus;
import io.recurate.schemas.SourceMode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The control plane waits out a broker outage longer than any client timeout (they are 30 to 120 s): a read
 * and a write of the pass ledger made while the broker is down complete once it is back, instead of ending
 * the loop with "Timeout expired while fetching topic metadata".
 */
class LedgerOutageIT {

    @Test
    void aReadAndAWriteMadeDuringA150SecondOutageCompleteWhenTheBrokerIsBack() throws Exception {
        Path home = TestCluster.workDir().resolve("ledger-outage-" + UUID.randomUUID());
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka")));
        try (EmbeddedRegistry registry = EmbeddedRegistry.start(EmbeddedRegistry.Settings.forBootstrap(broker.bootstrapServers()))) {
            TestCluster own = TestCluster.of(broker.bootstrapServers(), registry.url());
            Pipeline p = new Pipeline(own, "outage");
            PassStatus started = Ledgers.start(own.kafkaConfig(), p.topics, 1, SourceMode.FULL, p.plan.ingest().name(),
                    "filter", "v0", 0.5f);
            try (PassLedger reader = new PassLedger(own.kafkaConfig(), p.topics);
                 PassLedger writer = new PassLedger(own.kafkaConfig(), p.topics)) {
                assertThat(reader.latest(1)).isPresent();
                broker.kill();
                CompletableFuture<Void> write = CompletableFuture.runAsync(() ->
                        writer.record(PassStatus.newBuilder(started).setState(PassState.SCORED).build()));
                CompletableFuture<Optional<PassStatus>> read = CompletableFuture.supplyAsync(() -> reader.latest(1));
                Thread.sleep(150_000);
                assertThat(write).as("the write waits for the broker").isNotDone();
                assertThat(read).as("the read waits for the broker").isNotDone();
                broker = EmbeddedBroker.start(BrokerSettings.in(home.resolve("kafka"))); // same data, same port
                write.get(3, TimeUnit.MINUTES);
                assertThat(read.get(3, TimeUnit.MINUTES)).isPresent();
                assertThat(reader.latest(1)).map(PassStatus::getState).contains(PassState.SCORED);
            }
        } finally {
            broker.stop();
        }
    }
}
