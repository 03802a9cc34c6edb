package io.recurate.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InProcessServicesTest {

    @Test
    void aServiceThatDiesIsNamedWithItsCause() throws Exception {
        InProcessServices services = new InProcessServices();
        CountDownLatch forever = new CountDownLatch(1);
        services.start("trainer", () -> forever.await());
        services.start("scorer", () -> {
            throw new IllegalStateException("Error opening store pass-progress: No space left on device");
        });
        awaitDeath(services);
        assertThatThrownBy(services::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The scorer running in this process stopped")
                .hasMessageContaining("No space left on device").hasMessageContaining("again resumes");
        forever.countDown();
    }

    @Test
    void runningServicesPassTheCheckAndOneThatReturnsDoesNot() throws Exception {
        InProcessServices services = new InProcessServices();
        CountDownLatch release = new CountDownLatch(1);
        services.start("scorer", () -> release.await());
        assertThatCode(services::check).doesNotThrowAnyException();
        release.countDown();
        awaitDeath(services);
        assertThatThrownBy(services::check).hasMessageContaining("The scorer running in this process stopped.");
    }

    private static void awaitDeath(InProcessServices services) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                services.check();
            } catch (IllegalStateException stopped) {
                return;
            }
            Thread.sleep(10);
        }
    }
}
