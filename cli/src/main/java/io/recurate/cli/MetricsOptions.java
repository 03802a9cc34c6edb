package io.recurate.cli;

import io.recurate.service.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Where a service serves its Prometheus metrics. */
final class MetricsOptions {
    private static final Logger log = LoggerFactory.getLogger(MetricsOptions.class);

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of /metrics in Prometheus format (default: 9404 scorer, 9405 trainer, 9406 run; "
                    + "0 any free port, -1 none).")
    Integer port;

    @Option(names = "--metrics-bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Address /metrics listens on (default: ${DEFAULT-VALUE}).")
    String bind;

    /** The endpoint; when the port is taken it says so and goes on without one (metrics never stop work). */
    MetricsEndpoint open(String service, int defaultPort) {
        int chosen = port != null ? port : defaultPort;
        try {
            return MetricsEndpoint.start(service, bind, chosen);
        } catch (RuntimeException e) {
            log.warn("No metrics endpoint for the {}: {} ({}). Pass --metrics-port to choose another.", service,
                    e.getMessage(), e.getCause() == null ? "" : e.getCause().getMessage());
            return MetricsEndpoint.start(service, bind, -1);
        }
    }
}
