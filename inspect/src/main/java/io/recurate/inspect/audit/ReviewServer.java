package io.recurate.inspect.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 *
 * <p>Only the page opened from the printed address may use it ({@link RequestGuard}: Host, token, origin); a verdict is
 * JSON of at most {@link #MAX_BODY_BYTES}, its note at most {@link #MAX_NOTE_CHARS} characters (413 beyond); every
 * refusal and failure is answered with its status and a JSON {@code error}.
 */
public final class ReviewServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReviewServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As {@code audit score}: interval level, posterior draws, seed. */
    static final double CONFIDENCE = 0.95;
    static final int DRAWS = 4000;
    static final long SEED = 1;
    /** A verdict's body, its note and a reviewer's name are bounded: the review file is rewritten on every verdict. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_NOTE_CHARS = 4_000;
    static final int MAX_REVIEWER_CHARS = 100;

    private final ReviewFile review;
    private final Path key;
    private final String defaultReviewer;
    private final HttpServer http;
    private final RequestGuard guard;

    private ReviewServer(ReviewFile review, Path key, String defaultReviewer, HttpServer http) {
        this.review = review;
        this.key = key;
        this.defaultReviewer = defaultReviewer;
        this.http = http;
        this.guard = new RequestGuard(http.getAddress().getPort(), RequestGuard.newToken());
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
            log.debug("Reviewing {} at 127.0.0.1:{}", review.path(), http.getAddress().getPort());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** The page's address, with its token and the default reviewer. */
    public URI url() {
        return URI.create(origin() + "/?token=" + guard.token() + "&reviewer="
                + URLEncoder.encode(defaultReviewer, StandardCharsets.UTF_8));
    }

    /** {@code http://127.0.0.1:PORT}, without the token: every request to it is refused. */
    public URI origin() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** The token every request must carry (it is in {@link #url()}). */
    public String token() {
        return guard.token();
    }

    private void route(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            try {
                Headers headers = exchange.getRequestHeaders();
                refuseIf(guard.checkHost(headers));
                refuseIf(guard.checkToken(exchange.getRequestURI().getRawQuery(), headers));
                switch (path) {
                    case "/" -> {
                        allow(method, "GET");
                        exchange.getResponseHeaders().add("Set-Cookie", guard.cookie());
                        send(exchange, 200, "text/html; charset=utf-8", page());
                    }
                    case "/api/state" -> {
                        allow(method, "GET");
                        sendJson(exchange, 200, state(reviewerOf(exchange)));
                    }
                    case "/api/verdict" -> {
                        allow(method, "POST");
                        refuseIf(guard.checkWriteOrigin(headers));
                        sendJson(exchange, 200, verdict(exchange));
                    }
                    default -> throw new Refused(404, "no " + method + " " + path);
                }
            } catch (Refused e) {
                log.debug("Review request {} {} refused: {} {}", method, path, e.status, e.getMessage());
                sendError(exchange, e.status, e.getMessage());
            } catch (IllegalArgumentException e) {
                sendError(exchange, 400, e.getMessage());
            } catch (RuntimeException | IOException e) {
                log.error("Review request {} {} failed: {}", method, path, e.toString(), e);
                sendError(exchange, 500, String.valueOf(e.getMessage()));
            }
        }
    }

    /** Records a verdict from a JSON body of at most {@link #MAX_BODY_BYTES}; answers the reviewer's state. */
    private ObjectNode verdict(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.strip().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new Refused(415, "a verdict is sent as application/json, not " + (type == null ? "no type" : type));
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLength(length) > MAX_BODY_BYTES) {
            throw new Refused(413, "a body of " + length + " bytes is over the limit of " + MAX_BODY_BYTES);
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new Refused(413, "a body over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Refused(400, "the body is not JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new Refused(400, "the body is not a JSON object");
        }
        String reviewer = bounded(json.path("reviewer").asText(defaultReviewer), "reviewer", MAX_REVIEWER_CHARS, 400);
        String note = json.path("note").isNull() ? null : json.path("note").asText(null);
        bounded(note, "note", MAX_NOTE_CHARS, 413);
        String verdict = json.path("verdict").isNull() ? null : json.path("verdict").asText(null);
        review.record(reviewer, json.path("id").asText(), verdict, note);
        return state(reviewer);
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            throw new Refused(400, "Content-Length '" + length + "' is not a number");
        }
    }

    private static String bounded(String value, String what, int max, int status) {
        if (value != null && value.length() > max) {
            throw new Refused(status, "a " + what + " of " + value.length() + " characters is over the limit of " + max);
        }
        return value;
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new Refused(405, method + " is not allowed here; use " + allowed);
        }
    }

    private static void refuseIf(RequestGuard.Refusal refusal) {
        if (refusal != null) {
            throw new Refused(refusal.status(), refusal.message());
        }
    }

    /** A request answered with an error status and a JSON message. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private String reviewerOf(HttpExchange exchange) {
        String name = RequestGuard.queryValue(exchange.getRequestURI().getRawQuery(), "reviewer");
        if (name == null || name.isBlank()) {
            return defaultReviewer;
        }
        return bounded(name.strip(), "reviewer", MAX_REVIEWER_CHARS, 400);
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

    /** Every error is answered, with its status and a JSON message; a client already gone is only logged. */
    private static void sendError(HttpExchange exchange, int status, String message) {
        try {
            if (status == 405) {
                exchange.getResponseHeaders().set("Allow", exchange.getRequestURI().getPath().equals("/api/verdict")
                        ? "POST" : "GET");
            }
            sendJson(exchange, status, JSON.createObjectNode().put("error", message));
        } catch (IOException e) {
            log.debug("Could not answer {} to the review request: {}", status, e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Content-Security-Policy", "frame-ancestors 'none'");
        headers.set("Referrer-Policy", "no-referrer"); // the address carries the token
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.getResponseBody().flush(); // before the server drains an unread body (a refused 200 MB one)
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
