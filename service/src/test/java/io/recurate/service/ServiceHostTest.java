package io.recurate.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceHostTest {

    @Test
    void aServiceThatDiesIsNamedWithItsCause() throws Exception {
        ServiceHost services = new ServiceHost();
        CountDownLatch forever = new CountDownLatch(1);
        services.start("trainer", service(forever::await));
        services.start("scorer", service(() -> {
            throw new IllegalStateException("Error opening store pass-progress: No space left on device");
        }));
        awaitDeath(services);
        assertThatThrownBy(services::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The scorer running in this process stopped")
                .hasMessageContaining("No space left on device").hasMessageContaining("again resumes");
        forever.countDown();
    }

    @Test
    void runningServicesPassTheCheckAndOneThatReturnsDoesNot() throws Exception {
        ServiceHost services = new ServiceHost();
        CountDownLatch release = new CountDownLatch(1);
        services.start("scorer", service(release::await));
        assertThatCode(services::check).doesNotThrowAnyException();
        release.countDown();
        awaitDeath(services);
        assertThatThrownBy(services::check).hasMessageContaining("The scorer running in this process stopped.");
    }

    @Test
    void closeStopsWhatWasStartedAndTheCheckThenNamesNothing() throws Exception {
        ServiceHost services = new ServiceHost();
        CountDownLatch stop = new CountDownLatch(1);
        services.start("trainer", new Service() {
            @Override
            public void run() throws Exception {
                stop.await();
            }

            @Override
            public void close() {
                stop.countDown();
            }
        });
        services.close();
        assertThat(stop.await(10, TimeUnit.SECONDS)).isTrue();
        assertThatCode(services::check).doesNotThrowAnyException();
    }

    interface Body {
        void run() throws Exception;
    }

    /** A service whose run is the body and whose close does nothing. */
    private static Service service(Body body) {
        return new Service() {
            @Override
            public void run() throws Exception {
                body.run();
            }

            @Override
            public void close() {
            }
        };
    }

    private static void awaitDeath(ServiceHost services) throws InterruptedException {
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
