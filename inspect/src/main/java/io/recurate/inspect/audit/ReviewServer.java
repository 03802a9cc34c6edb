package io.recurate.inspect.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the review of one review file on loopback: the page ({@code /}), its state ({@code GET /api/state}) and
 * verdicts ({@code POST /api/verdict}), each written to the file before the answer. The live estimate is
 * {@link AuditEstimate} on the file as written, with {@code audit score}'s defaults, so page and command agree. In a
 * blind review, neither the page nor the state says a document's decision, score or stratum, nor the estimate or
 * the strata's progress, until the reviewer has given a verdict on every document.
 */
public final class ReviewServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReviewServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As {@code audit score}: interval level, posterior draws, seed. */
    static final double CONFIDENCE = 0.95;
    static final int DRAWS = 4000;
    static final long SEED = 1;

    private final ReviewFile review;
    private final Path key;
    private final String defaultReviewer;
    private final HttpServer http;

    private ReviewServer(ReviewFile review, Path key, String defaultReviewer, HttpServer http) {
        this.review = review;
        this.key = key;
        this.defaultReviewer = defaultReviewer;
        this.http = http;
    }

    /**
     * @param key the key file of a blind review, or null (an open review, or a blind one whose key is not at hand:
     *            its estimate is then shown by {@code audit score --key} only)
     * @param port 0 for any free port
     */
    public static ReviewServer start(ReviewFile review, Path key, String reviewer, int port) {
        if (review.blind() && key != null && !Files.isRegularFile(key)) {
            throw new IllegalArgumentException("No such key file: " + key);
        }
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            ReviewServer server = new ReviewServer(review, key, reviewer, http);
            http.createContext("/", server::route);
            http.start();
            log.debug("Reviewing {} at {}", review.path(), server.url());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The page's address, with the default reviewer. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/?reviewer="
                + java.net.URLEncoder.encode(defaultReviewer, StandardCharsets.UTF_8));
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            try {
                if (path.equals("/") && method.equals("GET")) {
                    send(exchange, 200, "text/html; charset=utf-8", page());
                } else if (path.equals("/api/state") && method.equals("GET")) {
                    sendJson(exchange, 200, state(reviewerOf(exchange)));
                } else if (path.equals("/api/verdict") && method.equals("POST")) {
                    JsonNode body = JSON.readTree(exchange.getRequestBody());
                    String reviewer = body.path("reviewer").asText(defaultReviewer);
                    review.record(reviewer, body.path("id").asText(), body.path("verdict").isNull() ? null
                            : body.path("verdict").asText(null), body.path("note").isNull() ? null : body.path("note").asText(null));
                    sendJson(exchange, 200, state(reviewer));
                } else {
                    sendJson(exchange, 404, JSON.createObjectNode().put("error", "no " + method + " " + path));
                }
            } catch (IllegalArgumentException e) {
                sendJson(exchange, 400, JSON.createObjectNode().put("error", e.getMessage()));
            } catch (RuntimeException e) {
                log.error("Review request {} {} failed: {}", method, path, e.toString(), e);
                sendJson(exchange, 500, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
            }
        }
    }

    private String reviewerOf(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("reviewer=")) {
                    String name = URLDecoder.decode(pair.substring("reviewer=".length()), StandardCharsets.UTF_8).strip();
                    if (!name.isEmpty()) {
                        return name;
                    }
                }
            }
        }
        return defaultReviewer;
    }

    /** What the page shows to {@code reviewer}. */
    ObjectNode state(String reviewer) {
        List<ObjectNode> rows = review.rows();
        boolean blind = review.blind();
        Map<String, JsonNode> design = blind ? keyRows() : Map.of();
        int mine = 0;
        for (ObjectNode row : rows) {
            mine += ReviewFile.isVerdict(verdictOf(row, reviewer)) ? 1 : 0;
        }
        boolean finished = mine == rows.size();
        boolean reveal = !blind || finished;
        ObjectNode out = JSON.createObjectNode();
        out.put("file", review.path().getFileName().toString());
        out.put("reviewer", reviewer);
        out.put("blind", blind);
        out.put("finished", finished);
        ArrayNode list = out.putArray("rows");
        Map<String, int[]> strata = new LinkedHashMap<>(); // sampled, reviewed by this reviewer
        for (ObjectNode row : rows) {
            String id = row.path("id").asText();
            JsonNode d = blind ? design.getOrDefault(id, JSON.createObjectNode()) : row;
            ObjectNode item = list.addObject();
            item.put("id", id);
            item.put("text", row.path("text").asText(""));
            item.put("verdict", verdictOf(row, reviewer));
            item.put("note", row.path("reviews").path(reviewer).path("note").asText(null));
            if (reveal && d.has("stratum")) {
                item.put("decision", d.path("decision").asText());
                item.put("score", d.path("score").asDouble());
                item.put("stratum", d.path("stratum").asText());
                int[] c = strata.computeIfAbsent(d.path("stratum").asText(), s -> new int[2]);
                c[0]++;
                c[1] += ReviewFile.isVerdict(verdictOf(row, reviewer)) ? 1 : 0;
            }
        }
        ObjectNode progress = out.putObject("progress");
        progress.put("reviewed", mine);
        progress.put("total", rows.size());
        if (reveal) {
            ArrayNode byStratum = progress.putArray("strata");
            strata.forEach((s, c) -> byStratum.addObject().put("stratum", s).put("sampled", c[0]).put("reviewed", c[1]));
            if (!blind || key != null) {
                out.set("estimate", estimate());
            }
        }
        return out;
    }

    /** The reviewer's own verdict on a row (a row filled by hand counts as theirs when no one reviewed it here). */
    private static String verdictOf(ObjectNode row, String reviewer) {
        JsonNode reviews = row.path("reviews");
        if (reviews.isObject() && reviews.size() > 0) {
            return reviews.path(reviewer).path("verdict").asText(null);
        }
        String v = row.path("verdict").asText(null);
        return v == null ? null : v.trim().toLowerCase(java.util.Locale.ROOT);
    }

    private ObjectNode estimate() {
        AuditEstimate.Result r = AuditEstimate.score(review.path(), review.blind() ? key : null, CONFIDENCE, DRAWS, SEED);
        ObjectNode e = JSON.createObjectNode();
        e.put("reviewed", r.reviewed());
        e.put("precision", r.precision().toString());
        e.put("recall", r.recall().toString());
        e.put("false_positive_rate", r.falsePositiveRate().toString());
        e.put("violating_share_kept", r.violatingInKept().toString());
        e.put("confidence", r.confidence());
        return e;
    }

    private Map<String, JsonNode> keyRows() {
        if (key == null) {
            return Map.of();
        }
        Map<String, JsonNode> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(key, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode row = JSON.readTree(line);
                    out.put(row.path("id").asText(), row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the key " + key + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String page() throws IOException {
        try (InputStream in = Objects.requireNonNull(ReviewServer.class.getResourceAsStream("review.html"), "review.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
