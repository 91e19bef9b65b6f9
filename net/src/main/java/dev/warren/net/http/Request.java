package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request received by an {@link HttpServer}: method, target, headers, and a body read from the
 * connection on demand.
 *
 * <p><b>Threading and lifetime.</b> Used by the handler's tasklet during {@link HttpHandler#handle}; the
 * body cannot be read after the handler returned (the connection has moved on to the next request).
 *
 * <p><b>Body.</b> Read it once, one way: {@link #body()}, {@link #bodyString()} or {@link #bodyStream()}.
 * It is bounded by {@link HttpLimits#maxBodyBytes()}; a larger or malformed body makes the reads throw
 * {@link HttpParseException} (the server then answers with its status and closes the connection). A
 * body read whole counts against the server's budget of buffered bodies (503 when it stays full). A
 * body the handler does not read is skipped by the server after the response.
 */
public final class Request {
    private final RequestHead head;
    private final InputStream body; // null: no body
    private final BodyInputStream framed; // null: no body
    private final InetSocketAddress remote;
    private final Map<String, String> pathParams;
    private String path;
    private String rawQuery;
    private Map<String, List<String>> query;

    Request(RequestHead head, InputStream body, BodyInputStream framed, InetSocketAddress remote) {
        this(head, body, framed, remote, Map.of());
    }

    private Request(
            RequestHead head,
            InputStream body,
            BodyInputStream framed,
            InetSocketAddress remote,
            Map<String, String> pathParams) {
        this.head = head;
        this.body = body;
        this.framed = framed;
        this.remote = remote;
        this.pathParams = pathParams;
    }

    /** This request with the parameters a route matched (used by {@link Router}). */
    Request withPathParams(Map<String, String> params) {
        Request r = new Request(head, body, framed, remote, Collections.unmodifiableMap(params));
        r.path = path;
        r.rawQuery = rawQuery;
        r.query = query;
        return r;
    }

    /** The method, upper-case as sent: {@code GET}, {@code POST}... */
    public String method() {
        return head.method();
    }

    /** The request target as sent: {@code /a/b?x=1}. */
    public String target() {
        return head.target();
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0}. */
    public String version() {
        return head.version();
    }

    /**
     * The path of the target, still percent-encoded as sent, without the query: {@code /a/b}. For an
     * absolute-form target ({@code http://host/a/b}) the path part; {@code "/"} when it has none.
     */
    public String path() {
        if (path == null) {
            splitTarget();
        }
        return path;
    }

    /** The query string after {@code ?}, still encoded, or null if there is none. */
    public String rawQuery() {
        if (path == null) {
            splitTarget();
        }
        return rawQuery;
    }

    private void splitTarget() {
        String t = head.target();
        if (!t.startsWith("/")) { // absolute-form or "*"
            int scheme = t.indexOf("://");
            if (scheme > 0) {
                int slash = t.indexOf('/', scheme + 3);
                int q = t.indexOf('?', scheme + 3);
                if (slash < 0 || (q >= 0 && q < slash)) {
                    t = "/" + (q >= 0 ? t.substring(q) : "");
                } else {
                    t = t.substring(slash);
                }
            }
        }
        int q = t.indexOf('?');
        int hash = t.indexOf('#');
        int end = hash >= 0 ? hash : t.length();
        if (q >= 0 && q < end) {
            path = t.substring(0, q);
            rawQuery = t.substring(q + 1, end);
        } else {
            path = t.substring(0, end);
        }
    }

    /** The first value of query parameter {@code name}, decoded ({@code +} and {@code %XX}), or null. */
    public String queryParam(String name) {
        List<String> v = queryParams().get(name);
        return v == null ? null : v.get(0);
    }

    /** Every query parameter, decoded, in order of first appearance; a parameter without {@code =} has "". */
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            String raw = rawQuery();
            if (raw == null || raw.isEmpty()) {
                query = Map.of();
            } else {
                Map<String, List<String>> m = new LinkedHashMap<>();
                for (String pair : raw.split("&", -1)) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    String k = decodeQueryPart(eq < 0 ? pair : pair.substring(0, eq));
                    String v = eq < 0 ? "" : decodeQueryPart(pair.substring(eq + 1));
                    m.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v);
                }
                m.replaceAll((k, v) -> List.copyOf(v));
                query = Collections.unmodifiableMap(m);
            }
        }
        return query;
    }

    /**
     * Percent-decodes a query component as UTF-8, {@code +} as a space; a malformed escape is left as it
     * is rather than failing the request. (Path parameters are decoded strictly: {@link #decodeStrict}.)
     */
    static String decodeQueryPart(String s) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    /**
     * Percent-decodes a path segment as UTF-8, strictly: {@code +} stays {@code +}, characters other than
     * escapes are kept as they are, and each run of escapes must be valid UTF-8.
     *
     * @throws IllegalArgumentException naming the problem if an escape is malformed ({@code %zz},
     *     {@code %4}) or the escaped bytes are not UTF-8
     */
    static String decodeStrict(String s) {
        int pct = s.indexOf('%');
        if (pct < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        out.append(s, 0, pct);
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] bytes = new byte[s.length() / 3];
        int len = s.length();
        int i = pct;
        while (i < len) {
            if (s.charAt(i) != '%') {
                out.append(s.charAt(i++));
                continue;
            }
            int n = 0;
            while (i < len && s.charAt(i) == '%') {
                int hi = i + 1 < len ? hexValue(s.charAt(i + 1)) : -1;
                int lo = i + 2 < len ? hexValue(s.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(
                            "has an invalid percent-escape '" + s.substring(i, Math.min(i + 3, len)) + "'");
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 3;
            }
            try {
                out.append(utf8.decode(ByteBuffer.wrap(bytes, 0, n)));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("has percent-escaped bytes that are not UTF-8");
            }
            utf8.reset();
        }
        return out.toString();
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The value of path parameter {@code name} (from {@code /users/{id}}), decoded, or null. {@code "*"} names the wildcard's rest. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** Every path parameter of the matched route, decoded. */
    public Map<String, String> pathParams() {
        return pathParams;
    }

    /** The header fields. */
    public HttpHeaders headers() {
        return head.headers();
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return head.headers().get(name);
    }

    /** The client's address. */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** True if the request has a body (a Content-Length above zero or a chunked body). */
    public boolean hasBody() {
        return framed != null;
    }

    /** The declared body length, or -1 when it is chunked (unknown ahead). */
    public long contentLength() {
        return head.contentLength();
    }

    /**
     * The body as a stream, bounded by the body limit; blocks while waiting for the client (at most the
     * server's body read timeout per read). With {@code Expect: 100-continue}, the first read sends the
     * interim 100 response. Empty when there is no body.
     */
    public InputStream bodyStream() {
        return body == null ? InputStream.nullInputStream() : body;
    }

    /**
     * The whole body (at most the body limit), in memory. Its size counts against the server's budget of
     * buffered bodies ({@link HttpServer.Builder#maxBufferedBodyBytes}) until the exchange ends: when the
     * budget is used up, this waits for room up to the body read timeout, then throws an {@link
     * HttpParseException} with status 503 (answered as such if the handler lets it through). Use {@link
     * #bodyStream()} to process large bodies without holding them.
     */
    public byte[] body() throws IOException {
        if (body == null) {
            return new byte[0];
        }
        // a server's body counts against its budget of buffered bodies (HttpServer.Builder.maxBufferedBodyBytes)
        return body instanceof ServerConnection.Body counted ? counted.readAllBuffered() : body.readAllBytes();
    }

    /** The whole body decoded as UTF-8. */
    public String bodyString() throws IOException {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /** The trailer fields of a chunked body, once it was read to its end; empty otherwise. */
    public HttpHeaders trailers() {
        return framed == null ? HttpHeaders.empty() : framed.trailers();
    }

    @Override
    public String toString() {
        return head.method() + " " + head.target() + " " + head.version() + " from "
                + (remote == null ? "?" : remote.getAddress().getHostAddress() + ":" + remote.getPort());
    }
}
