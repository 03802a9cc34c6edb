package io.recurate.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for the Confluent Schema Registry REST API (v1), enough for Avro serdes and the
 * admin tools. Schema ids are cached both ways, so steady-state serialization makes no request.
 * Thread-safe.
 */
public final class RegistryClient {
    private static final Logger log = LoggerFactory.getLogger(RegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryConfig config;
    private final HttpClient http;
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();

    public RegistryClient(RegistryConfig config) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.timeout());
        if (config.tls() != null) {
            builder.sslContext(config.tls().sslContext());
        }
        this.http = builder.build();
        this.authorization = config.userInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(config.userInfo().getBytes(StandardCharsets.UTF_8));
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * The id of {@code schema} under {@code subject}: from the cache, else registered (when
     * auto-registration is on) or looked up (when it is off).
     */
    public int idFor(String subject, Schema schema) {
        // Keyed by the Schema itself (its hash is cached, equality is structural): printing the schema as
        // JSON for every record cost more than serializing the record.
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        int id = config.autoRegister() ? register(subject, schema) : lookup(subject, schema).id();
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** {@code POST /subjects/{subject}/versions}: registers the schema (idempotent) and returns its id. */
    public int register(String subject, Schema schema) {
        JsonNode body = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        int id = body.path("id").asInt();
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** {@code POST /subjects/{subject}}: the version of an already registered schema. */
    public RegisteredSchema lookup(String subject, Schema schema) {
        return toRegistered(send("POST", "/subjects/" + enc(subject), schemaBody(schema)));
    }

    /** {@code GET /schemas/ids/{id}}, cached: ids never change meaning. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode body = send("GET", "/schemas/ids/" + id, null);
        Schema schema = parse(body.path("schema").asText());
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /** {@code GET /subjects/{subject}/versions/latest}. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    /** {@code GET /subjects/{subject}/versions/{version}}; version is a number or "latest". */
    public RegisteredSchema version(String subject, String version) {
        return toRegistered(send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null));
    }

    /** {@code GET /subjects}. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** {@code GET /subjects/{subject}/versions}. */
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        send("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
        return out;
    }

    /**
     * {@code POST /compatibility/subjects/{subject}/versions/latest}: whether the registry would
     * accept the schema. A subject with no versions accepts anything.
     */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            return send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", schemaBody(schema))
                    .path("is_compatible").asBoolean();
        } catch (RegistryException e) {
            if (e.errorCode() == RegistryException.SUBJECT_NOT_FOUND || e.errorCode() == RegistryException.VERSION_NOT_FOUND) {
                return true;
            }
            throw e;
        }
    }

    /** {@code GET /config}: the global compatibility level. */
    public CompatibilityLevel globalCompatibility() {
        return CompatibilityLevel.parse(send("GET", "/config", null).path("compatibilityLevel").asText());
    }

    /** {@code PUT /config/{subject}}. */
    public void setCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        send("PUT", subject == null ? "/config" : "/config/" + enc(subject), body);
    }

    private ObjectNode schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString());
    }

    private RegisteredSchema toRegistered(JsonNode body) {
        Schema schema = parse(body.path("schema").asText());
        int id = body.path("id").asInt();
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(body.path("subject").asText(), body.path("version").asInt(), id, schema);
    }

    private static Schema parse(String text) {
        return new Schema.Parser().parse(text);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Sends one request, trying each URL in turn and retrying with doubling backoff while the registry is
     * unreachable or answers 5xx (for ever when {@link RegistryConfig#maxAttempts()} is 0, as the services do);
     * 4xx answers are final. The first failure and then one line a minute say what is waited for and since when.
     */
    private JsonNode send(String method, String path, JsonNode body) {
        Exception last = null;
        long backoff = config.backoff().toMillis();
        Instant started = Instant.now();
        boolean waited = false;
        Instant said = null;
        for (int attempt = 1; config.maxAttempts() == 0 || attempt <= config.maxAttempts(); attempt++) {
            for (URI base : config.urls()) {
                try {
                    JsonNode answer = sendOnce(base, method, path, body);
                    if (waited) {
                        log.info("Schema registry {} answers again (waited {} s)", config.displayUrls(),
                                Duration.between(started, Instant.now()).toSeconds());
                    }
                    return answer;
                } catch (javax.net.ssl.SSLException e) { // a certificate does not fix itself: no retries
                    throw new RegistryException("TLS with schema registry " + base.getScheme() + "://" + base.getHost() + ":"
                            + base.getPort() + " failed: " + e.getMessage() + " (is " + RegistryTls.TRUSTSTORE_LOCATION
                            + " a truststore that trusts its certificate?)", e);
                } catch (IOException e) { // unreachable, timed out or 5xx: worth another try
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("Interrupted while calling schema registry " + config.displayUrls(), e);
                }
            }
            if (config.maxAttempts() == 0 || attempt < config.maxAttempts()) {
                Instant now = Instant.now();
                waited = true;
                if (said == null || Duration.between(said, now).toMinutes() >= 1) {
                    log.warn("Waiting for schema registry {} since {} ({}); {}", config.displayUrls(),
                            started.atZone(java.time.ZoneId.systemDefault()).toLocalTime()
                                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS), describe(last),
                            config.maxAttempts() == 0 ? "retrying until it answers"
                                    : "attempt " + attempt + " of " + config.maxAttempts());
                    said = now;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
        throw new RegistryException("Schema registry " + config.displayUrls() + " unavailable for " + method + " "
                + path + " after " + config.maxAttempts() + " attempts: " + describe(last), last);
    }

    private JsonNode sendOnce(URI base, String method, String path, JsonNode body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.timeout())
                .header("Accept", CONTENT_TYPE + ", application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status >= 500) {
            throw new RetryableStatus(status, response.body());
        }
        JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        if (status >= 400) {
            int code = json.path("error_code").asInt(status);
            String message = json.path("message").asText(response.body());
            throw new RegistryException(status, code, "Schema registry " + config.displayUrls() + " refused "
                    + method + " " + path + ": " + message + " (HTTP " + status + ", error code " + code + ")");
        }
        return json;
    }

    private static String describe(Exception e) {
        if (e == null) {
            return "no answer";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("Interrupted while waiting for schema registry", e);
        }
    }

    /** A 5xx answer: the registry is there but not ready, worth another try. */
    private static final class RetryableStatus extends IOException {
        RetryableStatus(int status, String body) {
            super("HTTP " + status + " " + body);
        }
    }
}
