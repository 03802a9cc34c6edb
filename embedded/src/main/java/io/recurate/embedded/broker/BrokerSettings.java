package io.recurate.embedded.broker;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run the embedded broker.
 *
 * @param home            its folder: server.properties, data/, logs/ (e.g. {@code .recurate/kafka})
 * @param preferredPort   client port to use when free (0: any)
 * @param classpath       class path of the child JVM; must hold the kafka_2.13 jars
 * @param heap            -Xmx of the child JVM, e.g. "1g"
 * @param startupTimeout  how long to wait for the broker to answer
 * @param detached        leave the broker running when this JVM exits ({@code recurate up})
 * @param scram           when set, clients must authenticate with SASL SCRAM-SHA-512 as this user
 */
public record BrokerSettings(Path home, int preferredPort, String classpath, String heap,
                             Duration startupTimeout, boolean detached, ScramUser scram) {

    /** A SCRAM user created when the storage is formatted. */
    public record ScramUser(String name, String password) {
        @Override
        public String toString() {
            return "ScramUser[" + name + ", password ****]";
        }

        /** Client settings that authenticate as this user: security.protocol, sasl.mechanism, sasl.jaas.config. */
        public java.util.Map<String, Object> clientConfig() {
            return java.util.Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", jaas());
        }

        String jaas() {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name
                    + "\" password=\"" + password + "\";";
        }
    }

    /** Defaults: any port, this JVM's class path, 1 GiB heap, 90 s to start, stopped with this JVM, no auth. */
    public static BrokerSettings in(Path home) {
        return new BrokerSettings(home, 0, defaultClasspath(), "1g", Duration.ofSeconds(90), false, null);
    }

    public BrokerSettings withHome(Path value) {
        return new BrokerSettings(value, preferredPort, classpath, heap, startupTimeout, detached, scram);
    }

    public BrokerSettings withPreferredPort(int port) {
        return new BrokerSettings(home, port, classpath, heap, startupTimeout, detached, scram);
    }

    public BrokerSettings withDetached(boolean value) {
        return new BrokerSettings(home, preferredPort, classpath, heap, startupTimeout, value, scram);
    }

    /** Clients must authenticate with SCRAM-SHA-512 (SASL_PLAINTEXT listener) as this user. */
    public BrokerSettings withScram(ScramUser user) {
        return new BrokerSettings(home, preferredPort, classpath, heap, startupTimeout, detached, user);
    }

    /** RECURATE_KAFKA_CLASSPATH when set, else this JVM's own class path (which holds the broker jars). */
    public static String defaultClasspath() {
        String env = System.getenv("RECURATE_KAFKA_CLASSPATH");
        return env != null && !env.isBlank() ? env : System.getProperty("java.class.path");
    }
}
