package io.recurate.registry;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach a Confluent-compatible schema registry. Key names follow Confluent's serializer
 * configuration so that existing client properties files work unchanged.
 *
 * @param urls          one or more base URLs, tried in order when one is unreachable
 * @param userInfo      {@code user:password} for HTTP basic auth, or null
 * @param autoRegister  register a record's schema on first use; when false the schema must exist
 * @param timeout       per-request timeout
 * @param maxAttempts   attempts per request when the registry is unreachable or answers 5xx; 0: until it answers
 * @param backoff       wait before the second attempt; doubles on each further attempt
 * @param tls           truststore and keystore for an https registry ({@code schema.registry.ssl.*}), or null
 */
public record RegistryConfig(List<URI> urls, String userInfo, boolean autoRegister, Duration timeout,
                             int maxAttempts, Duration backoff, RegistryTls tls) {

    /** Comma-separated registry base URLs. */
    public static final String URL = "schema.registry.url";
    /** {@code user:password} for basic auth; a URL's own user info is used when this is absent. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Register unknown schemas on first use (default true). */
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** Per-request timeout in ms (default 10000). */
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    /**
     * Attempts per request while the registry is unreachable (default 10: about a minute with the backoff); 0 retries
     * until it answers, which the long-running services (scorer, trainer, run) use unless told otherwise.
     */
    public static final String MAX_ATTEMPTS = "schema.registry.max.attempts";
    /** First retry backoff in ms, doubled each attempt up to 10 s (default 200). */
    public static final String BACKOFF_MS = "schema.registry.retry.backoff.ms";

    public RegistryConfig {
        Objects.requireNonNull(urls, "urls");
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("At least one schema registry URL is required (" + URL + ")");
        }
        urls = List.copyOf(urls);
        if (maxAttempts < 0) {
            throw new IllegalArgumentException(MAX_ATTEMPTS + " must be 0 (until the registry answers) or more, was "
                    + maxAttempts);
        }
    }

    /**
     * Whether a key of a client properties file is for the registry client rather than for Kafka, as in
     * Confluent's files that mix both ({@code schema.registry.*}, {@code basic.auth.*}, {@code auto.register.schemas}).
     */
    public static boolean isRegistryKey(String key) {
        return key.startsWith("schema.registry.") || key.startsWith("basic.auth.") || key.equals(AUTO_REGISTER);
    }

    public static RegistryConfig of(String url) {
        return fromMap(Map.of(URL, url));
    }

    /** Reads the Confluent-style keys above from client configuration; unknown keys are ignored. */
    public static RegistryConfig fromMap(Map<String, ?> configs) {
        Object url = configs.get(URL);
        if (url == null || url.toString().isBlank()) {
            throw new IllegalArgumentException("Missing required configuration '" + URL + "'");
        }
        List<URI> urls = java.util.Arrays.stream(url.toString().split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(RegistryConfig::toBaseUri).toList();
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        if (userInfo == null || userInfo.toString().isBlank()) {
            userInfo = urls.get(0).getUserInfo();
        }
        return new RegistryConfig(urls,
                userInfo == null ? null : userInfo.toString(),
                bool(configs.get(AUTO_REGISTER), true),
                Duration.ofMillis(number(configs.get(REQUEST_TIMEOUT_MS), 10_000)),
                (int) number(configs.get(MAX_ATTEMPTS), 10),
                Duration.ofMillis(number(configs.get(BACKOFF_MS), 200)),
                RegistryTls.fromMap(configs));
    }

    public RegistryConfig withAutoRegister(boolean value) {
        return new RegistryConfig(urls, userInfo, value, timeout, maxAttempts, backoff, tls);
    }

    public RegistryConfig withRetries(int attempts, Duration firstBackoff) {
        return new RegistryConfig(urls, userInfo, autoRegister, timeout, attempts, firstBackoff, tls);
    }

    /** The URLs as a user may print them: credentials removed. */
    public String displayUrls() {
        return String.join(",", urls.stream().map(u -> u.getScheme() + "://" + u.getHost()
                + (u.getPort() < 0 ? "" : ":" + u.getPort()) + u.getPath()).toList());
    }

    @Override
    public String toString() {
        return "RegistryConfig[urls=" + displayUrls() + ", userInfo=" + (userInfo == null ? "none" : "****")
                + ", autoRegister=" + autoRegister + ", timeout=" + timeout + ", maxAttempts=" + maxAttempts
                + (tls == null ? "" : ", " + tls) + "]";
    }

    private static URI toBaseUri(String s) {
        String trimmed = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        URI uri = URI.create(trimmed);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("Not a schema registry URL: '" + s + "' (expected http[s]://host:port)");
        }
        return uri;
    }

    private static boolean bool(Object v, boolean dflt) {
        return v == null ? dflt : Boolean.parseBoolean(v.toString().trim());
    }

    private static long number(Object v, long dflt) {
        return v == null ? dflt : Long.parseLong(v.toString().trim());
    }
}
