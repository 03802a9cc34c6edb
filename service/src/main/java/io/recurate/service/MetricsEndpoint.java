package io.recurate.service;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's Micrometer registry, with the JVM binders, served at {@code /metrics} in Prometheus's
 * text format. Every meter carries the tag {@code service} (scorer, trainer, orchestrator).
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final JvmGcMetrics gc;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, JvmGcMetrics gc) {
        this.registry = registry;
        this.server = server;
        this.gc = gc;
    }

    /**
     * @param port 0 for any free port, negative for no HTTP endpoint (the registry still works)
     */
    public static MetricsEndpoint start(String service, String bindAddress, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        HttpServer server = null;
        if (port >= 0) {
            try {
                server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot serve metrics on " + bindAddress + ":" + port, e);
            }
            server.createContext("/metrics", exchange -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            log.info("Metrics of the {} at http://{}:{}/metrics", service, bindAddress, server.getAddress().getPort());
        }
        return new MetricsEndpoint(registry, server, gc);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The port serving /metrics, or -1 when there is no endpoint. */
    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        gc.close();
        registry.close();
    }
}
