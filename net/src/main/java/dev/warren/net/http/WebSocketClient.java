package dev.warren.net.http;

import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.net.TlsOptions;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * Opens WebSockets to servers: {@code try (WebSocket ws = WebSocketClient.connect(URI.create("ws://host:8080/chat")))},
 * or {@code wss://} over TLS.
 *
 * <p>The connection is opened with the caller's thread (a tasklet, usually) and the opening handshake
 * checked ({@code 101}, {@code Sec-WebSocket-Accept}); the returned {@link WebSocket} is then read by
 * whoever calls {@link WebSocket#receive()} and written from any tasklet. Frames sent are masked with a
 * fresh key from {@link SecureRandom}, as RFC 6455 requires of clients. The caller owns the WebSocket and
 * closes it.
 */
public final class WebSocketClient {
    private static final SecureRandom KEYS = new SecureRandom();
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private WebSocketClient() {}

    /** Connects with messages up to 1 MiB, no idle timeout and no compression. */
    public static WebSocket connect(URI uri) throws IOException {
        return connect(uri, WebSocketOptions.CLIENT_DEFAULTS);
    }

    /**
     * Connects to a {@code ws://} or {@code wss://} URI; {@code wss} with the JDK's trusted authorities
     * (see {@link #connect(URI, WebSocketOptions, TlsOptions)} for others).
     *
     * @param maxMessageBytes the largest message taken (larger ones close with 1009)
     * @param idleTimeout ping a silent server after this long, and close if no pong comes within as long
     *     again; null for none
     * @throws IllegalArgumentException if the URI is not {@code ws://} or {@code wss://} with a host, or a
     *     limit is not positive
     * @throws ProtocolException if the server does not answer the handshake as RFC 6455 says (the status
     *     line is in the message)
     * @throws IOException if the connection cannot be made
     */
    public static WebSocket connect(URI uri, int maxMessageBytes, Duration idleTimeout) throws IOException {
        return connect(uri, maxMessageBytes, idleTimeout, null);
    }

    /**
     * Like {@link #connect(URI, int, Duration)}, a {@code wss} URI over TLS with {@code tls}.
     *
     * @param tls the TLS of a {@code wss} URI; null for the JDK's trusted authorities. Ignored for {@code ws}
     */
    public static WebSocket connect(URI uri, int maxMessageBytes, Duration idleTimeout, TlsOptions tls)
            throws IOException {
        Objects.requireNonNull(uri, "uri");
        return connect(uri, WebSocketOptions.of(maxMessageBytes, idleTimeout), tls);
    }

    /**
     * Connects to a {@code ws://} or {@code wss://} URI with the given options; with {@link
     * WebSocketOptions.Builder#permessageDeflate(boolean)} it offers {@code permessage-deflate} and
     * compresses if the server agrees ({@link WebSocket#compressed()} tells).
     *
     * @throws IllegalArgumentException if the URI is not {@code ws://} or {@code wss://} with a host
     * @throws ProtocolException if the server does not answer the handshake as RFC 6455 and RFC 7692 say
     * @throws IOException if the connection cannot be made
     */
    public static WebSocket connect(URI uri, WebSocketOptions options) throws IOException {
        return connect(uri, options, null);
    }

    /**
     * Connects with the given options, a {@code wss} URI over TLS with {@code tls}: the server's
     * certificate checked against the URI's host (unless the options turn that off), SNI, and ALPN
     * {@code http/1.1} when the options name no ALPN protocol.
     *
     * @param tls the TLS of a {@code wss} URI; null for the JDK's trusted authorities. Ignored for {@code ws}
     * @throws javax.net.ssl.SSLHandshakeException if the TLS handshake fails (the message names the server)
     */
    public static WebSocket connect(URI uri, WebSocketOptions options, TlsOptions tls) throws IOException {
        Objects.requireNonNull(uri, "uri");
        WebSocketOptions.require(options);
        String scheme = uri.getScheme();
        boolean secure = scheme != null && scheme.equalsIgnoreCase("wss");
        if (scheme == null || !(secure || scheme.equalsIgnoreCase("ws")) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "uri must be ws://HOST[:PORT]/PATH or wss://HOST[:PORT]/PATH, was '" + uri + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? (secure ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        byte[] nonce = new byte[16];
        KEYS.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        ConnectOptions connect = ConnectOptions.defaults();
        if (secure) {
            TlsOptions t = tls != null ? tls : TlsOptions.defaultClient();
            connect = connect.withTls(t.applicationProtocols().isEmpty() ? t.withApplicationProtocols("http/1.1") : t);
        }
        Connection conn = TcpClient.connect(host, port, connect);
        try {
            String hostHeader = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + port;
            conn.write(("GET " + target + " HTTP/1.1\r\nHost: " + hostHeader
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                            + "\r\nSec-WebSocket-Version: 13\r\n"
                            + (options.permessageDeflate()
                                    ? "Sec-WebSocket-Extensions: " + PerMessageDeflate.offer(options) + "\r\n"
                                    : "")
                            + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            conn.flush();
            conn.readTimeout(HANDSHAKE_TIMEOUT);
            String status = conn.readLine(8192, StandardCharsets.ISO_8859_1);
            if (status == null || !status.startsWith("HTTP/1.1 101")) {
                throw new ProtocolException("WebSocket handshake with " + uri + " refused: " + status);
            }
            boolean upgrade = false;
            boolean connection = false;
            String accept = null;
            String extensions = null;
            for (String line = conn.readLine(8192, StandardCharsets.ISO_8859_1);
                    line != null && !line.isEmpty();
                    line = conn.readLine(8192, StandardCharsets.ISO_8859_1)) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new ProtocolException(
                            "WebSocket handshake with " + uri + ": a bad header line '" + line + "'");
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                switch (name) {
                    case "upgrade" -> upgrade = WebSocketUpgrade.hasToken(value, "websocket");
                    case "connection" -> connection = WebSocketUpgrade.hasToken(value, "upgrade");
                    case "sec-websocket-accept" -> accept = value;
                    case "sec-websocket-extensions" ->
                        extensions = extensions == null ? value : extensions + ", " + value;
                    default -> {}
                }
            }
            if (!upgrade || !connection || !WsSession.accept(key).equals(accept)) {
                throw new ProtocolException("WebSocket handshake with " + uri + ": the 101 answer lacks "
                        + (!upgrade
                                ? "Upgrade: websocket"
                                : !connection ? "Connection: Upgrade" : "the right Sec-WebSocket-Accept"));
            }
            PerMessageDeflate deflate;
            try {
                deflate = PerMessageDeflate.accepted(extensions, options);
            } catch (PerMessageDeflate.NegotiationException e) {
                throw new ProtocolException("WebSocket handshake with " + uri + ": " + e.getMessage());
            }
            conn.readTimeout(null);
            return new WsSession(conn, true, options, deflate, null);
        } catch (IOException | RuntimeException e) {
            conn.abort();
            throw e;
        }
    }
}
