package io.recurate.embedded.broker;

import io.recurate.embedded.ProcessRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** The files of an embedded broker under its home folder. */
final class BrokerLayout {
    private final Path home;

    BrokerLayout(Path home) {
        this.home = home.toAbsolutePath();
        try {
            Files.createDirectories(dataDir());
            Files.createDirectories(logsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the broker folder " + home, e);
        }
    }

    Path dataDir() {
        return home.resolve("data");
    }

    Path logsDir() {
        return home.resolve("logs");
    }

    Path serverProperties() {
        return home.resolve("server.properties");
    }

    Path log4jConfig() {
        return home.resolve("log4j2.properties");
    }

    Path consoleLog() {
        return logsDir().resolve("broker-console.log");
    }

    private Path portsFile() {
        return home.resolve("ports.properties");
    }

    private Path pidFile() {
        return home.resolve("broker.pid");
    }

    boolean isFormatted() {
        return Files.exists(dataDir().resolve("meta.properties"));
    }

    /** The ports of the last start when still free (clients keep their bootstrap), else new ones. */
    Map<String, Integer> choosePorts(int preferredBrokerPort) {
        Properties last = load(portsFile());
        int broker = Ports.freeOr(preferredBrokerPort > 0 ? preferredBrokerPort
                : Integer.parseInt(last.getProperty("broker", "0")));
        int controller = Ports.freeOr(Integer.parseInt(last.getProperty("controller", "0")));
        while (controller == broker) {
            controller = Ports.freeOr(0);
        }
        Properties now = new Properties();
        now.setProperty("broker", Integer.toString(broker));
        now.setProperty("controller", Integer.toString(controller));
        store(now, portsFile(), "ports of the embedded broker");
        return Map.of("broker", broker, "controller", controller);
    }

    /** The client port of the last {@link #choosePorts}. */
    int brokerPort() {
        return Integer.parseInt(load(portsFile()).getProperty("broker"));
    }

    void writeConfig(int brokerPort, int controllerPort, int maxMessageBytes, BrokerSettings.ScramUser scram) {
        writeConfig(new Node(1, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort, 1), maxMessageBytes, scram);
    }

    /**
     * One combined broker and controller of a KRaft cluster of {@code size} nodes on loopback.
     *
     * @param voters the quorum, {@code id@127.0.0.1:controllerPort,...}, the same on every node
     */
    record Node(int id, int brokerPort, int controllerPort, String voters, int size) {
    }

    void writeConfig(Node node, int maxMessageBytes, BrokerSettings.ScramUser scram) {
        int brokerPort = node.brokerPort();
        int controllerPort = node.controllerPort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(node.id()));
        p.setProperty("controller.quorum.voters", node.voters());
        String client = scram == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        p.setProperty("listeners", client + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", client + "://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", client);
        p.setProperty("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
        if (scram != null) {
            // Clients authenticate with SCRAM-SHA-512; the user is created when the storage is formatted.
            p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.setProperty("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
            p.setProperty("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scram.jaas());
        }
        p.setProperty("log.dirs", dataDir().toString());
        // Internal topics: three replicas where there are three nodes, and a write survives the loss of one.
        String replicas = Integer.toString(Math.min(3, node.size()));
        String minIsr = Integer.toString(Math.min(2, node.size()));
        p.setProperty("offsets.topic.replication.factor", replicas);
        p.setProperty("transaction.state.log.replication.factor", replicas);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", replicas);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        p.setProperty("default.replication.factor", replicas);
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // recurate creates every topic it uses from its topic plan; a typo should fail, not create.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("message.max.bytes", Integer.toString(maxMessageBytes));
        p.setProperty("replica.fetch.max.bytes", Integer.toString(maxMessageBytes));
        p.setProperty("socket.request.max.bytes", Integer.toString(2 * maxMessageBytes));
        store(p, serverProperties(), "embedded broker, written by recurate on every start");
        writeLog4jConfig();
    }

    private void writeLog4jConfig() {
        String config = String.join("\n",
                "# Broker logs go to a rolling file; the console log holds only what the JVM prints itself.",
                "appender.file.type = RollingFile",
                "appender.file.name = file",
                "appender.file.fileName = " + logsDir().resolve("server.log"),
                "appender.file.filePattern = " + logsDir().resolve("server.log.%i"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "appender.file.policies.type = Policies",
                "appender.file.policies.size.type = SizeBasedTriggeringPolicy",
                "appender.file.policies.size.size = 20MB",
                "appender.file.strategy.type = DefaultRolloverStrategy",
                "appender.file.strategy.max = 3",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "logger.kafkaserver.name = kafka",
                "logger.kafkaserver.level = WARN",
                "logger.ready.name = kafka.server.KafkaRaftServer",
                "logger.ready.level = INFO",
                "");
        try {
            Files.writeString(log4jConfig(), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + log4jConfig(), e);
        }
    }

    void writePid(ProcessRecord process) {
        try {
            Files.writeString(pidFile(), process.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + pidFile(), e);
        }
    }

    Optional<ProcessRecord> readPid() {
        try {
            return Files.exists(pidFile()) ? ProcessRecord.parse(Files.readString(pidFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    void clearPid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // a stale pid file is checked against the process start time before use
        }
    }

    String tailOfConsoleLog(int lines) {
        StringBuilder out = new StringBuilder();
        for (Path file : List.of(consoleLog(), logsDir().resolve("server.log"))) {
            try {
                if (Files.exists(file)) {
                    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
                }
            } catch (IOException | UncheckedIOException e) {
                out.append("(cannot read ").append(file).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file, e);
            }
        }
        return p;
    }

    private static void store(Properties p, Path file, String comment) {
        try (var out = Files.newOutputStream(file)) {
            p.store(out, comment);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }
}
