package io.recurate.cli;

import io.recurate.curation.loop.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scorer and trainer that {@code run} starts in its own process, each on a thread. Neither is meant
 * to return while the loop runs; when one does (an error, a refused start), {@link #check} says which
 * and why, so the loop ends with that cause instead of waiting for a service that is gone.
 */
final class InProcessServices implements ServiceHealth {
    private static final Logger log = LoggerFactory.getLogger(InProcessServices.class);

    interface Task {
        void run() throws Exception;
    }

    private record Service(String name, Thread thread, AtomicReference<Throwable> failure) {
    }

    private final List<Service> services = new ArrayList<>();

    void start(String name, Task task) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception | Error e) {
                failure.set(e);
                log.error("The {} stopped: {}", name, e.toString(), e);
                if (e instanceof VirtualMachineError) {
                    throw (Error) e; // Main's handler ends the process (exit 70)
                }
            }
        }, name);
        thread.setDaemon(true);
        services.add(new Service(name, thread, failure));
        thread.start();
    }

    @Override
    public void check() {
        for (Service s : services) {
            if (!s.thread().isAlive()) {
                Throwable cause = s.failure().get();
                throw new IllegalStateException("The " + s.name() + " running in this process stopped"
                        + (cause == null ? "" : ": " + (cause.getMessage() != null ? cause.getMessage() : cause))
                        + ". The run ends here; what was scored and trained so far is kept, and running the same "
                        + "command again resumes from it.", cause);
            }
        }
    }
}
