package dev.warren.net.http;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Response compression as an opt-in {@link Filter}: {@code Router.builder()...filter(Compression.gzip())}.
 *
 * <p>A response is sent gzip-compressed ({@code Content-Encoding: gzip}) when the request's {@code
 * Accept-Encoding} accepts gzip (by name or {@code *}, with a q-value above 0), its type is text-like
 * ({@code text/*}, JSON, JavaScript, XML, SVG, WebAssembly) and it is not already encoded, a range (206),
 * or bodiless (204, 304). A whole body is compressed only from {@code minBytes} on and only kept if it got
 * smaller; a streaming body is compressed as it is written, and a {@code flush()} of the writer still
 * sends what it has so far (a sync flush), so server-sent streams stay live. Every response of a
 * compressible type gets {@code Vary: Accept-Encoding}, so caches keep the two forms apart.
 *
 * <p>Thread-safe and stateless; one filter serves every connection.
 */
public final class Compression implements Filter {
    /** Bodies shorter than this are sent as they are by {@link #gzip()}: gzip's header would eat the gain. */
    public static final int DEFAULT_MIN_BYTES = 1024;

    private final int minBytes;

    private Compression(int minBytes) {
        this.minBytes = minBytes;
    }

    /** Gzip for bodies of {@link #DEFAULT_MIN_BYTES} and more. */
    public static Compression gzip() {
        return new Compression(DEFAULT_MIN_BYTES);
    }

    /**
     * Gzip for bodies of {@code minBytes} and more.
     *
     * @throws IllegalArgumentException if {@code minBytes} is negative
     */
    public static Compression gzip(int minBytes) {
        if (minBytes < 0) {
            throw new IllegalArgumentException("minBytes must be >= 0, was " + minBytes);
        }
        return new Compression(minBytes);
    }

    @Override
    public Response filter(Request request, HttpHandler next) throws Exception {
        Response resp = next.handle(request);
        String type = resp.header("Content-Type");
        if (type == null || !compressible(type)) {
            return resp;
        }
        resp.header("Vary", "Accept-Encoding");
        int status = resp.status();
        if (status == 204
                || status == 206
                || status == 304
                || resp.header("Content-Encoding") != null
                || resp.header("Content-Range") != null
                || !acceptsGzip(request.header("Accept-Encoding"))) {
            return resp;
        }
        if (resp.isStreaming()) {
            Response.BodyWriter plain = resp.writer();
            resp.stream(type, out -> {
                GZIPOutputStream gz = new GZIPOutputStream(new KeepOpen(out), 8192, true);
                plain.writeTo(gz);
                gz.finish();
            });
            return resp.header("Content-Encoding", "gzip");
        }
        byte[] body = resp.bodyBytes();
        if (body.length < minBytes) {
            return resp;
        }
        byte[] packed = gzip(body);
        if (packed.length >= body.length) {
            return resp;
        }
        return resp.body(packed).header("Content-Encoding", "gzip");
    }

    static boolean compressible(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi).strip();
        }
        return t.startsWith("text/")
                || t.equals("application/json")
                || t.endsWith("+json")
                || t.equals("application/javascript")
                || t.equals("application/xml")
                || t.endsWith("+xml")
                || t.equals("image/svg+xml")
                || t.equals("application/wasm");
    }

    /** Whether an {@code Accept-Encoding} value accepts gzip (RFC 9110 12.5.3). */
    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        boolean byStar = false;
        for (String item : acceptEncoding.split(",", -1)) {
            String[] parts = item.split(";", -1);
            String coding = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                return q > 0; // named: its own q decides, whatever '*' says
            }
            if (coding.equals("*")) {
                byStar = q > 0;
            }
        }
        return byStar;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, body.length / 3));
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 8192)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** The server ends the body itself; the gzip stream must not close the connection's stream. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
