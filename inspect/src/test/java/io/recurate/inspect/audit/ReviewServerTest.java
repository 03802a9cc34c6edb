package io.recurate.inspect.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.recurate.schemas.Decision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review server against the requests a hostile web page (or a careless script) sends, over a raw socket so that
 * Host, Origin and lengths are exactly what an attacker chooses. Each refusal leaves the review file as it was and is
 * answered with a status and a JSON message.
 */
class ReviewServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path file;
    private ReviewServer server;
    private int port;

    @BeforeEach
    void start() {
        List<AuditSample.Row> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rows.add(new AuditSample.Row("d" + i, 1, "v1", Decision.KEPT, 0.1f, Stratum.of(Decision.KEPT, 0.1f, 2), 10, 3,
                    "secret text " + i));
        }
        file = dir.resolve("audit-pass-1.jsonl");
        AuditSample.writeReviewFile(file, rows);
        server = ReviewServer.start(ReviewFile.open(file), null, "ann", 0);
        port = server.origin().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private String verdictBody(String verdict, String note) throws IOException {
        return JSON.writeValueAsString(JSON.createObjectNode().put("reviewer", "ann").put("id", "d1")
                .put("verdict", verdict).put("note", note));
    }

    private Map<String, String> own() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + port);
        h.put("X-Recurate-Token", server.token());
        h.put("Content-Type", "application/json");
        return h;
    }

    /** One request on its own connection; {@code body} may be longer than what is sent (a declared length only). */
    private Answer request(String method, String target, Map<String, String> headers, byte[] body, long declaredLength)
            throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(declaredLength).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private Answer request(String method, String target, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        return request(method, target, headers, bytes, bytes == null ? 0 : bytes.length);
    }

    /** Reads one answer by its Content-Length, as a client does that is still sending (or never will). */
    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("an HTTP answer: %s", head).isNotNegative();
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).strip().split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private void assertRefused(Answer answer, int status, String messagePart) throws IOException {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        assertThat(answer.json().path("error").asText()).contains(messagePart);
    }

    private String fileText() throws IOException {
        return Files.readString(file);
    }

    @Test
    void thePageWithItsTokenSetsASameSiteCookieThatLetsThePagesOwnRequestsThrough() throws IOException {
        Map<String, String> h = Map.of("Host", "127.0.0.1:" + port);
        Answer page = request("GET", "/?token=" + server.token() + "&reviewer=ann", h, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<html");
        String cookie = page.headers().get("set-cookie");
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains(server.token());
        assertThat(page.headers().get("x-frame-options")).isEqualTo("DENY");

        String pair = cookie.substring(0, cookie.indexOf(';'));
        Answer state = request("GET", "/api/state?reviewer=ann", Map.of("Host", "localhost:" + port, "Cookie", pair), null);
        assertThat(state.status()).isEqualTo(200);
        assertThat(state.json().path("rows")).hasSize(3);

        Map<String, String> write = new LinkedHashMap<>(Map.of("Host", "127.0.0.1:" + port, "Cookie", "other=1; " + pair,
                "Content-Type", "application/json; charset=utf-8", "Origin", "http://127.0.0.1:" + port,
                "Sec-Fetch-Site", "same-origin"));
        Answer verdict = request("POST", "/api/verdict", write, verdictBody("violating", "a real note"));
        assertThat(verdict.status()).as(verdict.body()).isEqualTo(200);
        assertThat(fileText()).contains("a real note");
    }

    @Test
    void withoutTheTokenNothingIsServedNotEvenThePage() throws IOException {
        Map<String, String> h = Map.of("Host", "127.0.0.1:" + port);
        assertRefused(request("GET", "/", h, null), 401, "no token");
        assertRefused(request("GET", "/api/state", h, null), 401, "no token");
        assertRefused(request("GET", "/api/state?token=guess", h, null), 403, "wrong token");
        assertRefused(request("GET", "/api/state", Map.of("Host", "127.0.0.1:" + port, "Cookie",
                "recurate-review-" + port + "=guess"), null), 403, "wrong token");
        String before = fileText();
        Map<String, String> noToken = own();
        noToken.remove("X-Recurate-Token");
        assertRefused(request("POST", "/api/verdict", noToken, verdictBody("violating", "forged")), 401, "no token");
        assertThat(fileText()).isEqualTo(before);
    }

    @Test
    void aRequestForAnotherHostNameIsRefusedSoARebindingPageCannotReadTheTexts() throws IOException {
        for (String host : List.of("attacker.example:" + port, "attacker.example", "127.0.0.1:1", "127.0.0.1",
                "localhost.attacker.example:" + port)) {
            Map<String, String> h = own();
            h.put("Host", host);
            Answer answer = request("GET", "/api/state?token=" + server.token(), h, null);
            assertRefused(answer, 403, "is not this review server");
            assertThat(answer.body()).as(host).doesNotContain("secret text");
        }
        for (String host : List.of("localhost:" + port, "[::1]:" + port, "LOCALHOST:" + port)) {
            Map<String, String> h = own();
            h.put("Host", host);
            assertThat(request("GET", "/api/state", h, null).status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void aCrossOriginWriteIsRefusedEvenWithTheToken() throws IOException {
        String before = fileText();
        Map<String, String> h = own();
        h.put("Origin", "http://evil.example");
        assertRefused(request("POST", "/api/verdict", h, verdictBody("violating", "forged")), 403, "evil.example");
        h = own();
        h.put("Origin", "http://127.0.0.1:" + (port + 1)); // another local service's page
        assertRefused(request("POST", "/api/verdict", h, verdictBody("violating", "forged")), 403, "origin");
        h = own();
        h.put("Sec-Fetch-Site", "cross-site");
        assertRefused(request("POST", "/api/verdict", h, verdictBody("violating", "forged")), 403, "cross-site");
        assertThat(fileText()).isEqualTo(before);
    }

    @Test
    void aWriteMustBeJsonAndMalformedJsonIsAnsweredWith400() throws IOException {
        String before = fileText();
        Map<String, String> h = own();
        h.put("Content-Type", "text/plain"); // the type a cross-origin form or fetch may send without asking
        assertRefused(request("POST", "/api/verdict", h, verdictBody("violating", "forged")), 415, "application/json");
        h.remove("Content-Type");
        assertRefused(request("POST", "/api/verdict", h, verdictBody("violating", "forged")), 415, "no type");
        assertRefused(request("POST", "/api/verdict", own(), "{\"id\": \"d1\", \"verdict\": "), 400, "not JSON");
        assertRefused(request("POST", "/api/verdict", own(), "[1, 2]"), 400, "not a JSON object");
        assertRefused(request("POST", "/api/verdict", own(), verdictBody("maybe", null)), 400, "neither acceptable");
        assertRefused(request("GET", "/api/verdict", own(), null), 405, "use POST");
        assertRefused(request("GET", "/../audit-pass-1.jsonl", own(), null), 404, "no GET");
        assertThat(fileText()).isEqualTo(before);
    }

    @Test
    void bodiesNotesAndNamesAreBoundedWith413() throws IOException {
        String before = fileText();
        // A declared 200 MB body is refused before it is read: the answer comes while the client has sent nothing.
        Answer huge = request("POST", "/api/verdict", own(), new byte[0], 200L * 1024 * 1024);
        assertRefused(huge, 413, "over the limit");
        // A chunked body with no length is read only up to the limit.
        Map<String, String> chunked = own();
        chunked.put("Transfer-Encoding", "chunked");
        byte[] chunk = ("{\"note\": \"" + "x".repeat(ReviewServer.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] framed = (Integer.toHexString(chunk.length) + "\r\n" + new String(chunk, StandardCharsets.UTF_8)
                + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder("POST /api/verdict HTTP/1.1\r\n");
            chunked.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(framed);
            assertRefused(read(socket.getInputStream()), 413, "over the limit");
        }
        String longNote = "n".repeat(ReviewServer.MAX_NOTE_CHARS + 1);
        assertRefused(request("POST", "/api/verdict", own(), verdictBody("violating", longNote)), 413, "note of");
        String longName = JSON.writeValueAsString(JSON.createObjectNode().put("reviewer", "r".repeat(101)).put("id", "d1")
                .put("verdict", "violating"));
        assertRefused(request("POST", "/api/verdict", own(), longName), 400, "reviewer of");
        assertThat(fileText()).isEqualTo(before);

        String fullNote = "n".repeat(ReviewServer.MAX_NOTE_CHARS);
        assertThat(request("POST", "/api/verdict", own(), verdictBody("violating", fullNote)).status()).isEqualTo(200);
        assertThat(fileText()).contains(fullNote);
    }

    @Test
    void thePrintedAddressCarriesTheTokenAndTheOriginAloneDoesNot() {
        assertThat(server.url().getHost()).isEqualTo("127.0.0.1");
        assertThat(server.url().getQuery()).contains("token=" + server.token()).contains("reviewer=ann");
        assertThat(server.origin().toString()).doesNotContain(server.token());
        assertThat(server.token()).hasSizeGreaterThanOrEqualTo(32);
    }
}
