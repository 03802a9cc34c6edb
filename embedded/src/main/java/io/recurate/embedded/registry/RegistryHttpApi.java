package io.recurate.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.recurate.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Confluent Schema Registry REST API (v1) over a {@link KafkaSchemaStore}: the endpoints that
 * serializers, Confluent's clients and the usual tools call. Answers and error codes follow
 * Confluent's, so those clients cannot tell the difference.
 */
final class RegistryHttpApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(RegistryHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final KafkaSchemaStore store;
    private final String expectedAuthorization;

    RegistryHttpApi(KafkaSchemaStore store, String basicAuthUserInfo) {
        this.store = store;
        this.expectedAuthorization = basicAuthUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status = 200;
            JsonNode answer;
            try {
                authorize(exchange);
                answer = route(exchange.getRequestMethod(), segments(exchange), query(exchange), exchange.getRequestBody());
            } catch (RegistryError e) {
                status = e.status;
                answer = JSON.createObjectNode().put("error_code", e.errorCode).put("message", e.getMessage());
                if (status == 401) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"recurate-registry\"");
                }
            } catch (IOException | RuntimeException e) {
                log.error("Registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                status = 500;
                answer = JSON.createObjectNode().put("error_code", 50001).put("message", "Internal error: " + e);
            }
            byte[] body = answer.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private void authorize(HttpExchange exchange) {
        if (expectedAuthorization != null
                && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            throw new RegistryError(401, 40101, "Unauthorized");
        }
    }

    private JsonNode route(String method, List<String> p, Map<String, String> query, InputStream body) throws IOException {
        int n = p.size();
        String at0 = n > 0 ? p.get(0) : "";
        switch (method + " " + at0) {
            case "GET " -> {
                return JSON.createObjectNode();
            }
            case "GET schemas" -> {
                if (n == 2 && p.get(1).equals("types")) {
                    return JSON.createArrayNode().add("AVRO");
                }
                if (n >= 3 && p.get(1).equals("ids")) {
                    int id = parseId(p.get(2));
                    if (n == 3) {
                        return JSON.createObjectNode().put("schema", store.schemaById(id));
                    }
                    if (n == 4 && p.get(3).equals("schema")) {
                        return JSON.getNodeFactory().textNode(store.schemaById(id)); // raw schema
                    }
                    if (n == 4 && p.get(3).equals("subjects")) {
                        return strings(store.subjectsUsing(id));
                    }
                }
            }
            case "GET subjects" -> {
                if (n == 1) {
                    return strings(store.subjects());
                }
                String subject = p.get(1);
                if (n == 3 && p.get(2).equals("versions")) {
                    ArrayNode out = JSON.createArrayNode();
                    store.versions(subject).forEach(v -> out.add(v.version()));
                    return out;
                }
                if (n == 4 && p.get(2).equals("versions")) {
                    return versionNode(store.version(subject, p.get(3)));
                }
                if (n == 5 && p.get(2).equals("versions") && p.get(4).equals("schema")) {
                    return JSON.getNodeFactory().textNode(store.version(subject, p.get(3)).schema());
                }
            }
            case "POST subjects" -> {
                String subject = n > 1 ? p.get(1) : null;
                String schema = schemaOf(body);
                if (n == 3 && p.get(2).equals("versions")) {
                    return JSON.createObjectNode().put("id", store.register(subject, schema));
                }
                if (n == 2) {
                    return versionNode(store.lookup(subject, schema));
                }
            }
            case "DELETE subjects" -> {
                if (n == 2) {
                    ArrayNode out = JSON.createArrayNode();
                    store.deleteSubject(p.get(1)).forEach(out::add);
                    return out;
                }
            }
            case "POST compatibility" -> {
                if (n == 5 && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
                    List<String> problems;
                    try {
                        problems = store.compatibilityProblems(p.get(2), p.get(4), schemaOf(body));
                    } catch (RegistryError e) {
                        if (e.errorCode != 40401) {
                            throw e;
                        }
                        problems = List.of(); // nothing registered yet: anything is compatible
                    }
                    ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
                    if (Boolean.parseBoolean(query.get("verbose"))) {
                        out.set("messages", strings(problems));
                    }
                    return out;
                }
            }
            case "GET config" -> {
                if (n == 1) {
                    return JSON.createObjectNode().put("compatibilityLevel", store.globalLevel().name());
                }
                if (n == 2) {
                    CompatibilityLevel level = store.subjectLevel(p.get(1)).orElseGet(() -> {
                        if (Boolean.parseBoolean(query.get("defaultToGlobal"))) {
                            return store.globalLevel();
                        }
                        throw new RegistryError(404, 40408, "Subject '" + p.get(1) + "' does not have subject-level compatibility configured");
                    });
                    return JSON.createObjectNode().put("compatibilityLevel", level.name());
                }
            }
            case "PUT config" -> {
                if (n <= 2) {
                    JsonNode request = JSON.readTree(body);
                    CompatibilityLevel level;
                    try {
                        level = CompatibilityLevel.parse(request.path("compatibility").asText(""));
                    } catch (IllegalArgumentException e) {
                        throw new RegistryError(422, 42203, "Invalid compatibility level: " + e.getMessage());
                    }
                    store.setLevel(n == 2 ? p.get(1) : null, level);
                    return JSON.createObjectNode().put("compatibility", level.name());
                }
            }
            case "GET mode" -> {
                return JSON.createObjectNode().put("mode", "READWRITE");
            }
            default -> {
            }
        }
        throw new RegistryError(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", p));
    }

    private static ObjectNode versionNode(SchemaRegistryState.Version v) {
        return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
                .put("schema", v.schema());
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode out = JSON.createArrayNode();
        values.forEach(out::add);
        return out;
    }

    private static String schemaOf(InputStream body) throws IOException {
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryError(422, 42201, "Request body is not JSON: " + e.getMessage());
        }
        String type = request.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new RegistryError(422, 42201, "Schema type " + type + " is not supported by the embedded registry (AVRO only)");
        }
        if (!request.path("schema").isTextual()) {
            throw new RegistryError(422, 42201, "Request body has no 'schema' string");
        }
        return request.path("schema").asText();
    }

    private static int parseId(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("id '" + s + "'");
        }
    }

    private static List<String> segments(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
