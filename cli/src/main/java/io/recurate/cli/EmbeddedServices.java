package io.recurate.cli;

import io.recurate.embedded.ProcessRecord;
import io.recurate.embedded.broker.BrokerSettings;
import io.recurate.embedded.broker.EmbeddedBroker;
import io.recurate.embedded.broker.EmbeddedCluster;
import io.recurate.embedded.broker.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The broker and registry that {@code recurate up} leaves running in the background, and the state
 * file ({@code <home>/services.properties}) through which later commands find them.
 */
final class EmbeddedServices {
    static final int PREFERRED_BROKER_PORT = 9092;
    static final int PREFERRED_REGISTRY_PORT = 8081;

    /** What is running: addresses and processes (every broker of a cluster, node 1 first). */
    record State(String bootstrapServers, String registryUrl, List<ProcessRecord> brokers, ProcessRecord registry) {
        ProcessRecord broker() {
            return brokers.get(0);
        }

        long brokerPid() {
            return broker().pid();
        }

        long registryPid() {
            return registry.pid();
        }
    }

    private final Path home;

    EmbeddedServices(Path home) {
        this.home = home.toAbsolutePath();
    }

    Path brokerHome() {
        return home.resolve("kafka");
    }

    Path registryLog() {
        return home.resolve("logs").resolve("registry.log");
    }

    private Path stateFile() {
        return home.resolve("services.properties");
    }

    /**
     * The recorded services when both processes are still alive and the broker still listens (a process just
     * killed can linger a moment as a zombie: it is not "running").
     */
    Optional<State> running() {
        return recorded().filter(s -> brokerHomes(s).stream().allMatch(EmbeddedBroker::isRunning) && s.registry().live().isPresent())
                .filter(s -> java.util.Arrays.stream(s.bootstrapServers().split(","))
                        .allMatch(b -> Ports.isListening(Integer.parseInt(b.substring(b.lastIndexOf(':') + 1)))));
    }

    /** Each broker's folder: its pid file says whether it runs, also after a node of a cluster was restarted by hand. */
    private List<Path> brokerHomes(State state) {
        return state.brokers().size() > 1 ? EmbeddedCluster.nodeHomes(brokerHome()) : List.of(brokerHome());
    }

    private Optional<State> recorded() {
        if (!Files.exists(stateFile())) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stateFile())) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + stateFile(), e);
        }
        ProcessRecord none = new ProcessRecord(-1, -1);
        List<ProcessRecord> brokers = java.util.Arrays.stream(p.getProperty("broker.processes",
                        p.getProperty("broker.process", "")).split(","))
                .map(t -> ProcessRecord.parse(t).orElse(none)).toList();
        return Optional.of(new State(p.getProperty("bootstrap.servers"), p.getProperty("schema.registry.url"),
                brokers.isEmpty() ? List.of(none) : brokers, ProcessRecord.parse(p.getProperty("registry.process")).orElse(none)));
    }

    /**
     * Starts broker and registry as background processes that outlive this command. Whatever an earlier
     * start left half running (a registry whose broker crashed) is stopped first, so that nothing is orphaned.
     * The ports are taken when free, else free ones are; a cluster's nodes always take free ones.
     */
    State start(int brokerCount, int brokerPort, int preferredRegistryPort) {
        if (recorded().isPresent()) {
            stop();
        }
        List<EmbeddedBroker> brokers = brokerCount == 1
                ? List.of(EmbeddedBroker.start(BrokerSettings.in(brokerHome()).withPreferredPort(brokerPort)
                        .withDetached(true)))
                : EmbeddedCluster.start(BrokerSettings.in(brokerHome()).withDetached(true), brokerCount).brokers();
        String bootstrap = brokers.stream().map(EmbeddedBroker::bootstrapServers).collect(java.util.stream.Collectors.joining(","));
        int registryPort = Ports.freeOr(preferredRegistryPort);
        Process registry;
        try {
            Files.createDirectories(registryLog().getParent());
            registry = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", BrokerSettings.defaultClasspath(), Main.class.getName(), "registry",
                    "--bootstrap-servers", bootstrap, "--port", Integer.toString(registryPort)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(registryLog().toFile()))
                    .start();
        } catch (IOException e) {
            brokers.forEach(EmbeddedBroker::stop);
            throw new UncheckedIOException("Cannot start the schema registry process", e);
        }
        String url = "http://127.0.0.1:" + registryPort;
        try {
            awaitRegistry(registry, url, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            registry.destroyForcibly();
            brokers.forEach(EmbeddedBroker::stop);
            throw e;
        }
        State state = new State(bootstrap, url, brokers.stream()
                .map(b -> ProcessRecord.of(ProcessHandle.of(b.pid()).orElseThrow())).toList(), ProcessRecord.of(registry.toHandle()));
        write(state);
        return state;
    }

    /** Stops what {@link #start} started; false when nothing was running. */
    boolean stop() {
        Optional<ProcessHandle> registry = recorded().flatMap(s -> s.registry().live());
        registry.ifPresent(handle -> {
            handle.destroy(); // SIGTERM: the registry closes its producer and HTTP server
            try {
                handle.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        });
        boolean any = registry.isPresent();
        any |= EmbeddedBroker.stopRunning(brokerHome());
        any |= EmbeddedCluster.stopRunning(brokerHome());
        try {
            Files.deleteIfExists(stateFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + stateFile(), e);
        }
        return any;
    }

    private void write(State state) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", state.bootstrapServers());
        p.setProperty("schema.registry.url", state.registryUrl());
        p.setProperty("broker.process", state.broker().toString());
        p.setProperty("broker.processes", state.brokers().stream().map(ProcessRecord::toString)
                .collect(java.util.stream.Collectors.joining(",")));
        p.setProperty("registry.process", state.registry().toString());
        try (OutputStream out = Files.newOutputStream(stateFile())) {
            p.store(out, "services started by 'recurate up'; 'recurate down' stops them");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + stateFile(), e);
        }
    }

    private void awaitRegistry(Process process, String url, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The schema registry exited with code " + process.exitValue()
                        + " while starting; see " + registryLog() + ":\n" + tail(registryLog()));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
            }
        }
        throw new IllegalStateException("The schema registry did not answer at " + url + " within "
                + timeout.toSeconds() + " s; see " + registryLog());
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ")";
        }
    }
}
