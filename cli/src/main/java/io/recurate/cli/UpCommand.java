package io.recurate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the embedded Kafka broker (KRaft; one node, or a replicated cluster with --brokers 3) and "
                + "schema registry in the background.",
                "Data lives under --home; later commands find the services there. Stop them with 'recurate down'."})
final class UpCommand implements Callable<Integer> {
    @Option(names = "--home", defaultValue = ".recurate", paramLabel = "DIR",
            description = "Folder of the services' data, logs and state (default: ${DEFAULT-VALUE}).")
    Path home;

    @Option(names = "--brokers", defaultValue = "1", paramLabel = "N",
            description = "Brokers: 1, or a replicated KRaft cluster of N nodes on loopback ports (topics then get "
                    + "min(3, N) replicas) (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--port", defaultValue = "" + EmbeddedServices.PREFERRED_BROKER_PORT, paramLabel = "PORT",
            description = "The broker's client port on loopback, when it is free; else a free one is taken and printed. "
                    + "A cluster's nodes take free ports (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--registry-port", defaultValue = "" + EmbeddedServices.PREFERRED_REGISTRY_PORT, paramLabel = "PORT",
            description = "The schema registry's port on loopback, when it is free; else a free one (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        EmbeddedServices services = new EmbeddedServices(home);
        var out = spec.commandLine().getOut();
        var running = services.running();
        if (running.isPresent()) {
            out.println("Already running (stop with 'recurate down'):");
            print(out, running.get(), services);
            return 0;
        }
        long started = System.nanoTime();
        if (brokers < 1) {
            throw new IllegalArgumentException("--brokers must be at least 1, got " + brokers);
        }
        if (port < 1 || port > 65535 || registryPort < 1 || registryPort > 65535) {
            throw new IllegalArgumentException("--port and --registry-port must be between 1 and 65535, got " + port
                    + " and " + registryPort);
        }
        EmbeddedServices.State state = services.start(brokers, port, registryPort);
        out.printf("Started in %.1f s:%n", (System.nanoTime() - started) / 1e9);
        print(out, state, services);
        return 0;
    }

    private static void print(java.io.PrintWriter out, EmbeddedServices.State state, EmbeddedServices services) {
        out.printf("  Kafka bootstrap   %s   (pid%s %s, data %s)%n", state.bootstrapServers(),
                state.brokers().size() > 1 ? "s" : "", state.brokers().stream().map(b -> Long.toString(b.pid()))
                        .collect(java.util.stream.Collectors.joining(", ")), services.brokerHome());
        out.printf("  Schema registry   %s   (pid %d, log %s)%n", state.registryUrl(), state.registryPid(),
                services.registryLog());
        out.printf("%nFor other tools:%n  export KAFKA_BOOTSTRAP_SERVERS=%s%n  export SCHEMA_REGISTRY_URL=%s%n",
                state.bootstrapServers(), state.registryUrl());
        out.flush();
    }
}
