package dev.warren.net.http;

import java.nio.charset.StandardCharsets;

/**
 * A response received by an {@link HttpClient}, body included (read completely before it is returned).
 * Immutable.
 */
public final class ClientResponse {
    private final String version;
    private final int status;
    private final String reason;
    private final HttpHeaders headers;
    private final byte[] body;
    private final HttpHeaders trailers;

    ClientResponse(String version, int status, String reason, HttpHeaders headers, byte[] body, HttpHeaders trailers) {
        this.version = version;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.body = body;
        this.trailers = trailers;
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0}, as the server said. */
    public String version() {
        return version;
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The reason phrase (may be empty). */
    public String reason() {
        return reason;
    }

    /** The header fields. */
    public HttpHeaders headers() {
        return headers;
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    /** The body (empty for HEAD, 204, 304). The array is shared: do not change it. */
    public byte[] body() {
        return body;
    }

    /** The body decoded as UTF-8. */
    public String bodyString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The trailer fields of a chunked body; empty otherwise. */
    public HttpHeaders trailers() {
        return trailers;
    }

    /** The status line: {@code HTTP/1.1 200 OK}. */
    public String statusLine() {
        return version + " " + status + (reason.isEmpty() ? "" : " " + reason);
    }

    @Override
    public String toString() {
        return statusLine() + " (" + body.length + " bytes)";
    }
}
