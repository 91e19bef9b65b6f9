package dev.warren.net.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request being built for an {@link HttpClient}; {@link #send()} sends it. The client adds
 * {@code Host} (unless set) and {@code Content-Length} or {@code Transfer-Encoding: chunked}. Not
 * thread-safe; may be sent more than once.
 */
public final class ClientRequest {
    final HttpClient client;
    final String method;
    final String host;
    final int port;
    final String target;
    /** Over TLS (an https:// URI). */
    final boolean secure;

    final List<String> headerList = new ArrayList<>();
    final HttpHeaders headers = new HttpHeaders(headerList);
    byte[] body;
    boolean chunked;

    ClientRequest(HttpClient client, String method, String host, int port, String target) {
        this(client, method, host, port, target, false);
    }

    ClientRequest(HttpClient client, String method, String host, int port, String target, boolean secure) {
        this.client = client;
        this.secure = secure;
        this.method = Objects.requireNonNull(method, "method");
        this.host = Objects.requireNonNull(host, "host");
        this.target = Objects.requireNonNull(target, "target");
        if (method.isEmpty() || !method.chars().allMatch(HeadReader::isTchar)) {
            throw new IllegalArgumentException("method must be an HTTP token, was '" + method + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        this.port = port;
        if (!(target.startsWith("/") || target.equals("*")) || !target.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException(
                    "target must start with '/' and hold no spaces or control characters, was '" + target + "'");
        }
    }

    /**
     * Adds a header field.
     *
     * @throws IllegalArgumentException for an illegal name or value, or Content-Length /
     *     Transfer-Encoding (set by the client from the body)
     */
    public ClientRequest header(String name, String value) {
        HttpHeaders.checkName(name);
        HttpHeaders.checkValue(name, value);
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException("header '" + name + "' is set by the client from the body");
        }
        headerList.add(name);
        headerList.add(value);
        return this;
    }

    /** The body, sent with a Content-Length (or chunked, see {@link #chunked(boolean)}). */
    public ClientRequest body(byte[] body) {
        this.body = Objects.requireNonNull(body, "body");
        return this;
    }

    /** The body as UTF-8 text. */
    public ClientRequest body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the body is sent with {@code Transfer-Encoding: chunked}. Default false. */
    public ClientRequest chunked(boolean on) {
        this.chunked = on;
        return this;
    }

    /** Sends the request and reads the whole response; see {@link HttpClient} for errors and retries. */
    public ClientResponse send() throws IOException {
        return client.send(this);
    }

    @Override
    public String toString() {
        return method + " " + target;
    }
}
