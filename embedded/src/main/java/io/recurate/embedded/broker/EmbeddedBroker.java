package io.recurate.embedded.broker;

import io.recurate.embedded.ProcessRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft broker (combined broker and controller) running in a child JVM from the
 * project's own Kafka jars. Storage is formatted on first start; later starts reuse the data, and
 * the ports too when they are still free. Nothing of the broker runs in this JVM, so its logging,
 * memory and crashes stay its own.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** Large enough for the 50 MB documents users publish; topics set their own limit below this. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final BrokerSettings settings;
    private final Process process;
    private final String bootstrapServers;
    private final Thread shutdownHook;

    private EmbeddedBroker(BrokerSettings settings, Process process, String bootstrapServers) {
        this.settings = settings;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.shutdownHook = settings.detached() ? null : new Thread(this::stop, "embedded-broker-stop");
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Formats storage if needed, starts the broker and waits until it answers. */
    public static EmbeddedBroker start(BrokerSettings settings) {
        long started = System.nanoTime();
        BrokerLayout layout = new BrokerLayout(settings.home());
        refuseIfInUse(layout);
        Map<String, Integer> ports = layout.choosePorts(settings.preferredPort());
        layout.writeConfig(ports.get("broker"), ports.get("controller"), MAX_MESSAGE_BYTES, settings.scram());
        EmbeddedBroker broker = launch(settings, layout, clusterId(), 1);
        try {
            broker.awaitReady(layout, 1);
        } catch (RuntimeException e) {
            broker.stop();
            throw e;
        }
        log.info("Embedded Kafka broker ready at {} (pid {}, data {}) in {} ms", broker.bootstrapServers, broker.pid(),
                layout.dataDir(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }

    /** Formats (once, with the cluster's id) and starts the process of a configured node, without waiting for it. */
    static EmbeddedBroker launch(BrokerSettings settings, BrokerLayout layout, String clusterId, int nodeId) {
        if (!layout.isFormatted()) {
            format(settings, layout, clusterId);
        }
        List<String> command = javaCommand(settings, layout);
        if (settings.detached()) {
            command.add("kafka.Kafka");
        } else {
            // Dies with this process, even when this process is killed and its shutdown hook never runs.
            command.add(BrokerMain.class.getName());
            command.add(Long.toString(ProcessHandle.current().pid()));
        }
        command.add(layout.serverProperties().toString());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.consoleLog().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded Kafka broker (" + command.get(0) + ")", e);
        }
        EmbeddedBroker broker = new EmbeddedBroker(settings, process, "127.0.0.1:" + layout.brokerPort());
        layout.writePid(ProcessRecord.of(process.toHandle()));
        return broker;
    }

    /**
     * No second broker ever opens a data folder: one whose recorded broker still runs is refused, after a
     * grace for a broker that is shutting down (one whose owner was just killed stops on its own).
     */
    static void refuseIfInUse(BrokerLayout layout) {
        Optional<ProcessHandle> holder = layout.readPid().flatMap(ProcessRecord::live);
        if (holder.isEmpty()) {
            return;
        }
        try {
            holder.get().onExit().get(10, TimeUnit.SECONDS);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception stillRunning) {
            // refused below
        }
        throw new IllegalStateException("The Kafka data folder " + layout.dataDir() + " is in use by pid "
                + holder.get().pid() + " (a broker an earlier 'recurate up' or 'run' started). Use it with "
                + "'recurate up' (it is found again), stop it with 'recurate down --home <home>', or end pid "
                + holder.get().pid() + ".");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path home() {
        return settings.home();
    }

    /** Stops the broker: SIGTERM for a clean shutdown, SIGKILL if it has not exited in 30 s. */
    public void stop() {
        stopProcess(process.toHandle(), Duration.ofSeconds(30));
        new BrokerLayout(settings.home()).clearPid();
    }

    /** Kills the broker at once (SIGKILL), as a crash would; for fault tests. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running or has run
            }
        }
    }

    /** Whether the broker whose folder is {@code home} runs (its pid file names a live broker process). */
    public static boolean isRunning(Path home) {
        return new BrokerLayout(home).readPid().flatMap(ProcessRecord::live).isPresent();
    }

    /** Stops a broker started by an earlier command ({@code recurate down}); false when none ran. */
    public static boolean stopRunning(Path home) {
        BrokerLayout layout = new BrokerLayout(home);
        Optional<ProcessHandle> handle = layout.readPid().flatMap(ProcessRecord::live);
        handle.ifPresent(h -> stopProcess(h, Duration.ofSeconds(30)));
        layout.clearPid();
        return handle.isPresent();
    }

    static void stopProcess(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Kafka broker pid {} did not stop in {} s; killing it", handle.pid(), grace.toSeconds());
            handle.destroyForcibly();
        }
    }

    /** Waits until this broker answers and the cluster has {@code nodes} brokers. */
    void awaitReady(BrokerLayout layout, int nodes) {
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        // Wait for the port first, so the admin client does not log a warning per refused connection.
        int port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
        while (!Ports.isListening(port) && process.isAlive() && System.nanoTime() < deadline) {
            sleep(100);
        }
        Properties props = new Properties();
        if (settings.scram() != null) {
            props.putAll(settings.scram().clientConfig());
        }
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The embedded Kafka broker exited with code " + process.exitValue()
                            + " while starting. Last lines of " + layout.consoleLog() + ":\n" + layout.tailOfConsoleLog(30));
                }
                try {
                    int seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                            .get(4, TimeUnit.SECONDS).size();
                    if (seen >= nodes) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not answering yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The embedded Kafka broker did not answer at " + bootstrapServers
                            + " within " + settings.startupTimeout().toSeconds() + " s. Last lines of "
                            + layout.consoleLog() + ":\n" + layout.tailOfConsoleLog(30));
                }
                sleep(250);
            }
        }
    }

    static void format(BrokerSettings settings, BrokerLayout layout, String clusterId) {
        List<String> command = javaCommand(settings, layout);
        command.addAll(List.of("kafka.tools.StorageTool", "format", "--ignore-formatted",
                "--cluster-id=" + clusterId, "--config", layout.serverProperties().toString()));
        if (settings.scram() != null) {
            command.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + settings.scram().name() + ",password="
                    + settings.scram().password() + "]"));
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output;
            try (InputStream in = p.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("Formatting Kafka storage in " + layout.dataDir() + " failed:\n"
                        + (settings.scram() == null ? output : output.replace(settings.scram().password(), "****")));
            }
            log.info("Formatted Kafka storage in {}", layout.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run Kafka's storage tool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
        }
    }

    private static List<String> javaCommand(BrokerSettings settings, BrokerLayout layout) {
        if (settings.classpath() == null || !settings.classpath().contains("kafka_2.13")) {
            throw new IllegalStateException("The class path holds no kafka_2.13 jar, so the embedded broker cannot "
                    + "start; build with ./mvnw package or set RECURATE_KAFKA_CLASSPATH");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The broker extracts its compression codecs' native libraries into java.io.tmpdir: this JVM's, not /tmp.
        command.addAll(List.of("-Xms256m", "-Xmx" + settings.heap(), "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dlog4j2.configurationFile=" + layout.log4jConfig().toUri(),
                "-Dkafka.logs.dir=" + layout.logsDir(), "-cp", settings.classpath()));
        return command;
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64url without padding, as kafka-storage random-uuid
     * prints; never one starting with '-', which the storage tool would take for an option.
     */
    static String clusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            byte[] bytes = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array();
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the broker", e);
        }
    }
}
