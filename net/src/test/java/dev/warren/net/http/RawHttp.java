package dev.warren.net.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw socket to a test server: writes bytes as given and reads responses independently of our client. */
final class RawHttp implements Closeable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    /**
     * Initializes the JDK's socket stream classes on this (platform) thread. Otherwise the first
     * server-side {@code Socket.getOutputStream()} of the JVM, in a connection tasklet, may wait for
     * the test thread initializing the same class at the same moment: a class-initialization wait is a
     * monitor wait, so it pins the carrier and the pinning guard fails the test.
     */
    static void warmUpSockets() {
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                Socket c = new Socket(java.net.InetAddress.getLoopbackAddress(), ss.getLocalPort());
                Socket s = ss.accept()) {
            c.getOutputStream();
            c.getInputStream();
            s.getOutputStream();
            s.getInputStream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    RawHttp(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    RawHttp send(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** One parsed response. */
    record Resp(String statusLine, int status, Map<String, String> headers, String body, java.nio.ByteBuffer raw) {
        /** The body's bytes, as they came (a copy). */
        byte[] bytes() {
            byte[] b = new byte[raw.remaining()];
            raw.duplicate().get(b);
            return b;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Reads one response; {@code head} says it answers a HEAD (no body whatever the headers say). */
    Resp read(boolean head) throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("end of stream before a response");
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            h.merge(
                    l.substring(0, c).toLowerCase(Locale.ROOT),
                    l.substring(c + 1).strip(),
                    (a, b) -> a + ", " + b);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (head || code == 204 || code == 304 || code < 200) {
            // no body
        } else if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            for (; ; ) {
                int size = Integer.parseInt(line().split(";", -1)[0].strip(), 16);
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                if (!line().isEmpty()) {
                    throw new IOException("chunk without CRLF");
                }
            }
        } else if (h.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(h.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Resp(
                status,
                code,
                h,
                body.toString(StandardCharsets.UTF_8),
                java.nio.ByteBuffer.wrap(body.toByteArray()).asReadOnlyBuffer());
    }

    Resp read() throws IOException {
        return read(false);
    }

    /** True if the server closed the connection (end of stream, or a reset after its close). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
