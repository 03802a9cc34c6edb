package io.recurate.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs services one way for every process: the scorer and the trainer each in the foreground of their own
 * process ({@link #runInForeground}), or several on threads of one process, as {@code run} does with its
 * embedded scorer and trainer ({@link #start}, {@link #check}, {@link #close}). Either way a signal stops
 * them cleanly, a JVM error ends the process with {@link #EXIT_FATAL}, and a service that stops is named
 * with its cause.
 */
public final class ServiceHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceHost.class);

    /** Exit code of a process ended by a JVM error (out of memory, say): EX_SOFTWARE. */
    public static final int EXIT_FATAL = 70;

    private record Running(String name, Service service, Thread thread, AtomicReference<Throwable> failure) {
    }

    private final List<Running> running = new ArrayList<>();

    /**
     * Makes an error no thread handled end the process. Left alone, a scorer or trainer whose main thread
     * died of OutOfMemoryError would live on (Kafka's and the metrics server's threads keep the JVM up)
     * doing nothing, and the pass waiting for it would wait for ever; ended with a non-zero code, its
     * supervisor restarts it and the work resumes from Kafka.
     */
    public static void exitOnJvmError() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof VirtualMachineError) {
                fatal(e);
            }
            System.err.println("Exception in thread \"" + thread.getName() + "\": " + e);
            e.printStackTrace();
        });
    }

    /** Ends the process with {@link #EXIT_FATAL}, without shutdown hooks: after such an error they may hang too. */
    public static void fatal(Throwable e) {
        try {
            System.err.println("recurate: fatal " + e + (e instanceof OutOfMemoryError
                    ? " (give the JVM more heap: RECURATE_JAVA_OPTS=-Xmx4g, or a smaller --buckets or --dim)" : ""));
            e.printStackTrace();
        } finally {
            Runtime.getRuntime().halt(EXIT_FATAL);
        }
    }

    /**
     * Runs the service on this thread until it returns or a signal stops it (then what is in flight is
     * committed before the process exits), and closes the endpoint after it.
     *
     * @return 0: the service stopped cleanly
     */
    public static int runInForeground(String name, Service service, MetricsEndpoint endpoint) throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            log.info("Stopping the {} (signal): committing what is in flight", name);
            service.close();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            service.run();
        } catch (InterruptedException e) {
            log.info("The {} stopped", name);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already closing the service
            }
            service.close();
            endpoint.close();
        }
        return 0;
    }

    /** Starts the service on a thread of its own; {@link #check} reports it once it stops. */
    public void start(String name, Service service) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                service.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception | Error e) {
                failure.set(e);
                log.error("The {} stopped: {}", name, e.toString(), e);
                if (e instanceof VirtualMachineError) {
                    throw (Error) e; // the uncaught handler ends the process (exit 70)
                }
            }
        }, name);
        thread.setDaemon(true);
        running.add(new Running(name, service, thread, failure));
        thread.start();
    }

    /**
     * Whether every service started here still runs.
     *
     * @throws IllegalStateException naming the first that stopped, with its cause
     */
    public void check() {
        for (Running s : running) {
            if (!s.thread().isAlive()) {
                Throwable cause = s.failure().get();
                throw new IllegalStateException("The " + s.name() + " running in this process stopped"
                        + (cause == null ? "" : ": " + Causes.describe(cause))
                        + ". The run ends here; what was scored and trained so far is kept, and running the same "
                        + "command again resumes from it.", cause);
            }
        }
    }

    /** Stops the services started here, the last started first. */
    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            Running s = running.get(i);
            try {
                s.service().close();
            } catch (RuntimeException e) {
                log.warn("Stopping the {} failed: {}", s.name(), e.toString());
            }
        }
        running.clear();
    }
}
