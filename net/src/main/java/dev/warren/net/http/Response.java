package dev.warren.net.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A response under construction: status, header fields and a body from bytes, a string, or a streaming
 * {@link BodyWriter} (sent chunked). The server adds {@code Date}, {@code Content-Length} (or
 * {@code Transfer-Encoding: chunked}) and {@code Connection}; setting those yourself is refused, except
 * {@code Connection: close}, which closes the connection after this response.
 *
 * <pre>{@code
 * return Response.ok("hello " + req.pathParam("name") + "\n");
 * return Response.status(201).header("Location", "/users/7").body(json, "application/json");
 * return Response.status(200).stream("text/plain", out -> { out.write(..); out.flush(); ... });
 * }</pre>
 *
 * <p>Not thread-safe: built and returned by one handler.
 */
public final class Response {
    /** Writes a streaming body. */
    @FunctionalInterface
    public interface BodyWriter {
        /**
         * Writes the body to {@code out}. Writes are buffered; {@code out.flush()} sends what was
         * written so far to the client (as one chunk). Do not close {@code out}: the server ends the body
         * when this returns.
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private static final byte[] EMPTY = new byte[0];

    private int status;
    private final List<String> headers = new ArrayList<>(8);
    private byte[] body = EMPTY;
    private BodyWriter writer;
    private long length = -1;
    private boolean close;
    /** For a 101 answer: what takes the connection over once the answer is out. */
    private Upgrade upgrade;

    /** Takes a connection over after a 101 (Switching Protocols) answer; runs on its tasklet. */
    @FunctionalInterface
    interface Upgrade {
        void run(dev.warren.net.Connection conn, HttpServer server) throws IOException;
    }

    private Response(int status) {
        this.status = checkStatus(status);
    }

    private Response(Upgrade upgrade) {
        this.status = 101;
        this.upgrade = upgrade;
    }

    /** 101 Switching Protocols; {@code upgrade} then owns the connection until it returns. */
    static Response switching(Upgrade upgrade) {
        return new Response(Objects.requireNonNull(upgrade, "upgrade"));
    }

    Upgrade upgrade() {
        return upgrade;
    }

    private static int checkStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be 200..599, was " + status);
        }
        return status;
    }

    /** An empty response with {@code status} (200..599). */
    public static Response status(int status) {
        return new Response(status);
    }

    /** 200 with {@code text} as {@code text/plain; charset=utf-8}. */
    public static Response ok(String text) {
        return new Response(200).body(text);
    }

    /** 200 with {@code html} as {@code text/html; charset=utf-8}. */
    public static Response html(String html) {
        return new Response(200).body(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8");
    }

    /** {@code status} with a plain-text body. */
    public static Response text(int status, String text) {
        return new Response(status).body(text);
    }

    /** Changes the status (200..599). */
    public Response setStatus(int status) {
        if (upgrade != null) {
            throw new IllegalStateException("a 101 (Switching Protocols) answer keeps its status");
        }
        this.status = checkStatus(status);
        return this;
    }

    /**
     * Adds a header field (a name may be added several times).
     *
     * @throws IllegalArgumentException for an illegal name or value (a CR or LF in a value, say) or for a
     *     field the server manages: Content-Length, Transfer-Encoding, Date, and Connection other than "close"
     */
    public Response header(String name, String value) {
        HttpHeaders.checkName(name);
        HttpHeaders.checkValue(name, value);
        if (name.equalsIgnoreCase("Content-Length")
                || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Date")) {
            throw new IllegalArgumentException("header '" + name + "' is set by the server");
        }
        if (name.equalsIgnoreCase("Connection")) {
            if (!value.strip().equalsIgnoreCase("close")) {
                throw new IllegalArgumentException("header Connection may only be set to 'close', was '" + value + "'");
            }
            close = true;
            return this;
        }
        headers.add(name);
        headers.add(value);
        return this;
    }

    /** A header of a 101 answer, which names its protocol in {@code Connection: Upgrade}. */
    Response upgradeHeader(String name, String value) {
        headers.add(name);
        headers.add(value);
        return this;
    }

    /** The body as UTF-8 text; sets {@code Content-Type: text/plain; charset=utf-8} unless one is set. */
    public Response body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The body; the array is sent as it is at write time (not copied). */
    public Response body(byte[] bytes) {
        this.body = Objects.requireNonNull(bytes, "body");
        this.writer = null;
        this.length = -1;
        return this;
    }

    /** The body with its content type ({@code null}: text/plain; charset=utf-8, unless a type is set). */
    public Response body(byte[] bytes, String contentType) {
        body(bytes);
        setContentType(contentType);
        return this;
    }

    /**
     * A streaming body written by {@code writer} while the response is sent: chunked for an HTTP/1.1
     * client, delimited by closing the connection for HTTP/1.0.
     */
    public Response stream(String contentType, BodyWriter writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.body = EMPTY;
        this.length = -1;
        setContentType(contentType);
        return this;
    }

    /**
     * A streaming body of exactly {@code length} bytes (a file, say), sent with {@code Content-Length}
     * rather than chunked, so it needs no chunk framing and HTTP/1.0 clients keep their connection. A
     * writer that writes more or fewer bytes fails the response: the connection is closed under it (the
     * client sees the body cut short) and the server counts a handler error.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public Response stream(String contentType, long length, BodyWriter writer) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        stream(contentType, writer);
        this.length = length;
        return this;
    }

    /**
     * {@code status} with {@code json} as the body, {@code Content-Type: application/json}: the text of a
     * value the caller serialised (with the JSON library of its choice).
     */
    public static Response json(int status, String json) {
        Objects.requireNonNull(json, "json");
        return new Response(status).body(json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private void setContentType(String contentType) {
        if (header("Content-Type") == null) {
            header("Content-Type", contentType == null ? "text/plain; charset=utf-8" : contentType);
        } else if (contentType != null) {
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase("Content-Type")) {
                    headers.set(i + 1, HttpHeaders.checkValue("Content-Type", contentType));
                }
            }
        }
    }

    /** Asks the server to close the connection after this response. */
    public Response closeConnection() {
        this.close = true;
        return this;
    }

    /** The status code. */
    public int status() {
        return status;
    }

    /** The first value of header {@code name} (any case) set so far, or null. */
    public String header(String name) {
        for (int i = 0; i < headers.size(); i += 2) {
            if (headers.get(i).equalsIgnoreCase(name)) {
                return headers.get(i + 1);
            }
        }
        return null;
    }

    /** The body bytes (empty for a streaming response). */
    public byte[] bodyBytes() {
        return body;
    }

    /** True when the body is written by a {@link BodyWriter}. */
    public boolean isStreaming() {
        return writer != null;
    }

    List<String> headerList() {
        return headers;
    }

    BodyWriter writer() {
        return writer;
    }

    /** The declared length of a streaming body, or -1. */
    long streamLength() {
        return length;
    }

    boolean wantsClose() {
        return close;
    }
}
