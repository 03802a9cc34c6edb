package io.recurate.embedded.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real replicated KRaft cluster on this machine: {@code n} combined broker-and-controller processes on
 * loopback ports, each with its own folder {@code <home>/node-<id>}, one cluster id, internal topics with
 * min(3, n) replicas. What {@code recurate up --brokers 3} starts, and what the multi-broker tests run on.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedCluster.class);

    private final List<EmbeddedBroker> brokers;

    private EmbeddedCluster(List<EmbeddedBroker> brokers) {
        this.brokers = brokers;
    }

    /**
     * Starts (formatting once) a cluster of {@code nodes} brokers under {@code settings.home()} and waits until
     * every one is in the cluster.
     */
    public static EmbeddedCluster start(BrokerSettings settings, int nodes) {
        if (nodes < 2) {
            throw new IllegalArgumentException("A cluster has at least 2 nodes; one broker is EmbeddedBroker");
        }
        if (settings.scram() != null) {
            throw new IllegalArgumentException("SCRAM is supported on the single embedded broker only");
        }
        long started = System.nanoTime();
        List<BrokerLayout> layouts = new ArrayList<>();
        for (int id = 1; id <= nodes; id++) {
            BrokerLayout layout = new BrokerLayout(nodeHome(settings.home(), id));
            EmbeddedBroker.refuseIfInUse(layout);
            layouts.add(layout);
        }
        // Every node's ports first: the quorum's voters are written into each node's configuration.
        Set<Integer> taken = new HashSet<>();
        List<Map<String, Integer>> ports = new ArrayList<>();
        for (BrokerLayout layout : layouts) {
            Map<String, Integer> p = layout.choosePorts(0);
            while (taken.contains(p.get("broker")) || taken.contains(p.get("controller"))) {
                p = layout.choosePorts(0);
            }
            taken.addAll(p.values());
            ports.add(p);
        }
        String voters = java.util.stream.IntStream.range(0, nodes)
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + ports.get(i).get("controller")).collect(Collectors.joining(","));
        String clusterId = clusterId(settings.home());
        for (int i = 0; i < nodes; i++) {
            layouts.get(i).writeConfig(new BrokerLayout.Node(i + 1, ports.get(i).get("broker"),
                    ports.get(i).get("controller"), voters, nodes), EmbeddedBroker.MAX_MESSAGE_BYTES, null);
        }
        // The storage tool is a JVM of its own per node: run them side by side rather than one after another.
        java.util.stream.IntStream.range(0, nodes).parallel().filter(i -> !layouts.get(i).isFormatted()).forEach(i ->
                EmbeddedBroker.format(settings.withHome(nodeHome(settings.home(), i + 1)), layouts.get(i), clusterId));
        List<EmbeddedBroker> brokers = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                brokers.add(EmbeddedBroker.launch(settings.withHome(nodeHome(settings.home(), i + 1)), layouts.get(i),
                        clusterId, i + 1));
            }
            for (int i = 0; i < nodes; i++) {
                brokers.get(i).awaitReady(layouts.get(i), nodes);
            }
        } catch (RuntimeException e) {
            brokers.forEach(EmbeddedBroker::stop);
            throw e;
        }
        EmbeddedCluster cluster = new EmbeddedCluster(brokers);
        log.info("Embedded Kafka cluster of {} brokers ready at {} (pids {}) in {} ms", nodes, cluster.bootstrapServers(),
                brokers.stream().map(b -> Long.toString(b.pid())).collect(Collectors.joining(", ")),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    /**
     * Starts node {@code id} of an existing cluster again (after a crash), with its configuration, data and ports,
     * and waits until the cluster has all its nodes.
     */
    public static EmbeddedBroker restartNode(BrokerSettings settings, int id) {
        BrokerLayout layout = new BrokerLayout(nodeHome(settings.home(), id));
        EmbeddedBroker.refuseIfInUse(layout);
        EmbeddedBroker broker = EmbeddedBroker.launch(settings.withHome(nodeHome(settings.home(), id)), layout,
                clusterId(settings.home()), id);
        broker.awaitReady(layout, nodeHomes(settings.home()).size());
        log.info("Broker {} of the embedded cluster restarted at {} (pid {})", id, broker.bootstrapServers(), broker.pid());
        return broker;
    }

    /** The folder of node {@code id}. */
    public static Path nodeHome(Path home, int id) {
        return home.resolve("node-" + id);
    }

    /** The nodes' folders that exist under a home. */
    public static List<Path> nodeHomes(Path home) {
        List<Path> out = new ArrayList<>();
        for (int id = 1; Files.isDirectory(nodeHome(home, id)); id++) {
            out.add(nodeHome(home, id));
        }
        return out;
    }

    /** One id for all nodes, kept in the cluster's folder so that a restart finds the same cluster. */
    private static String clusterId(Path home) {
        Path file = home.resolve("cluster.id");
        try {
            Files.createDirectories(home);
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String id = EmbeddedBroker.clusterId();
            Files.writeString(file, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }

    public String bootstrapServers() {
        return brokers.stream().map(EmbeddedBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    /** The brokers, node 1 first. */
    public List<EmbeddedBroker> brokers() {
        return List.copyOf(brokers);
    }

    /** Stops the brokers of a cluster started by an earlier command; false when none ran. */
    public static boolean stopRunning(Path home) {
        return allAtOnce(nodeHomes(home), EmbeddedBroker::stopRunning).contains(true);
    }

    @Override
    public void close() {
        allAtOnce(brokers, broker -> {
            broker.close();
            return true;
        });
    }

    /**
     * Stops every node at the same time: one by one, the last nodes lose their quorum and cannot shut down cleanly
     * (each waits out its grace period and is killed); together, the controllers outlive the brokers' shutdown.
     */
    private static <T> List<Boolean> allAtOnce(List<T> nodes, java.util.function.Function<T, Boolean> stop) {
        if (nodes.isEmpty()) {
            return List.of();
        }
        java.util.concurrent.ExecutorService stoppers = java.util.concurrent.Executors.newFixedThreadPool(nodes.size());
        try {
            List<java.util.concurrent.CompletableFuture<Boolean>> stopped = nodes.stream()
                    .map(node -> java.util.concurrent.CompletableFuture.supplyAsync(() -> stop.apply(node), stoppers))
                    .toList();
            return stopped.stream().map(java.util.concurrent.CompletableFuture::join).toList();
        } finally {
            stoppers.shutdown();
        }
    }
}
