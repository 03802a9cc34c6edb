package io.recurate.inspect.audit;

import com.sun.net.httpserver.Headers;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Who may talk to a review server on loopback. Binding 127.0.0.1 keeps other hosts out, not other web pages: any page
 * the reviewer's browser opens can send requests to 127.0.0.1, and a DNS-rebinding page can even read the answers. So
 * every request must name this server in its {@code Host} header (a rebound name is refused), carry the server's
 * random token (in the printed address, then in a same-site cookie), and a write must come from this server's own
 * origin when the browser says where it comes from.
 */
final class RequestGuard {
    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");
    static final String TOKEN_HEADER = "X-Recurate-Token";

    private final int port;
    private final String token;
    private final String cookieName;

    RequestGuard(int port, String token) {
        this.port = port;
        this.token = token;
        this.cookieName = "recurate-review-" + port; // cookies ignore ports: one name per server
    }

    /** A token of 192 random bits, URL-safe. */
    static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    String token() {
        return token;
    }

    /** A refusal: the HTTP status and the message; null where the request may go on. */
    record Refusal(int status, String message) { }

    /** The {@code Host} header must be this server's loopback name and port. */
    Refusal checkHost(Headers headers) {
        String host = headers.getFirst("Host");
        if (host == null) {
            return new Refusal(400, "no Host header");
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        boolean hasPort = colon > h.lastIndexOf(']');
        String name = hasPort ? h.substring(0, colon) : h;
        String givenPort = hasPort ? h.substring(colon + 1) : "";
        if (!LOOPBACK_NAMES.contains(name) || !givenPort.equals(String.valueOf(port))) {
            return new Refusal(403, "Host '" + host + "' is not this review server (127.0.0.1:" + port + ")");
        }
        return null;
    }

    /** The token, from the query ({@code token=}), the header or this server's cookie. */
    Refusal checkToken(String rawQuery, Headers headers) {
        String given = queryToken(rawQuery);
        if (given == null) {
            given = headers.getFirst(TOKEN_HEADER);
        }
        if (given == null) {
            given = cookieToken(headers);
        }
        if (given == null) {
            return new Refusal(401, "no token: open the address 'audit review' printed (it carries the token)");
        }
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            return new Refusal(403, "wrong token: open the address 'audit review' printed");
        }
        return null;
    }

    /**
     * A write must not come from another site: an {@code Origin} header, when there, is this server's; a browser's
     * {@code Sec-Fetch-Site}, when there, is same-origin. Clients that send neither (curl, scripts) still need the
     * token.
     */
    Refusal checkWriteOrigin(Headers headers) {
        String origin = headers.getFirst("Origin");
        if (origin != null && !isOwnOrigin(origin)) {
            return new Refusal(403, "a write from origin '" + origin + "' is refused: only this page may write");
        }
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            return new Refusal(403, "a " + site + " write is refused: only this page may write");
        }
        return null;
    }

    private boolean isOwnOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        for (String name : LOOPBACK_NAMES) {
            if (o.equals("http://" + name + ":" + port)) {
                return true;
            }
        }
        return false;
    }

    /** The cookie that lets the page's own requests through after it was opened with the token. */
    String cookie() {
        return cookieName + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    }

    static String queryToken(String rawQuery) {
        return queryValue(rawQuery, "token");
    }

    static String queryValue(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private String cookieToken(Headers headers) {
        for (String header : headers.getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String p = part.strip();
                if (p.startsWith(cookieName + "=")) {
                    return p.substring(cookieName.length() + 1);
                }
            }
        }
        return null;
    }
}
