package dev.warren.net;

import dev.warren.net.internal.Checks;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLHandshakeException;

/**
 * Opens client {@link Connection}s.
 *
 * <p><b>Threading.</b> Any thread or tasklet may call {@code connect}; it blocks for the name lookup
 * and the TCP handshake (and the TLS one, with {@link ConnectOptions#withTls TLS}), at most the connect
 * timeout for each handshake (on a virtual thread this parks,
 * and the registry shows {@code connect HOST:PORT}). An interrupted caller gets an {@link IOException}.
 *
 * <p><b>Ownership.</b> The caller owns the returned connection and must close it.
 */
public final class TcpClient {
    private TcpClient() {}

    /** Connects with {@link ConnectOptions#defaults()}. */
    public static Connection connect(String host, int port) throws IOException {
        return connect(host, port, ConnectOptions.defaults());
    }

    /**
     * Connects to {@code host:port}.
     *
     * @throws java.net.SocketTimeoutException if the handshake took longer than the connect timeout
     * @throws java.net.ConnectException if the peer refused
     * @throws java.net.UnknownHostException if {@code host} cannot be resolved
     * @throws SSLHandshakeException with TLS, if the handshake failed (the server's certificate is not
     *     trusted or does not name {@code host}, no common protocol, ...); the message names the server
     * @throws java.net.SocketTimeoutException with TLS, also if the handshake took longer than the
     *     connect timeout or the handshake timeout
     * @throws IllegalArgumentException if {@code port} is not 1..65535
     */
    public static Connection connect(String host, int port, ConnectOptions options) throws IOException {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        ConnectOptions o = ConnectOptions.orDefaults(options);
        InetSocketAddress target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            throw new java.net.UnknownHostException(host);
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(o.tcpNoDelay());
            Object previous = Tasklets.blockingOn("connect " + ConnectionImpl.format(target));
            try {
                s.connect(target, Checks.millis("connectTimeout", o.connectTimeout()));
            } finally {
                Tasklets.unblocked(previous);
            }
            Transport plain = new SocketTransport(s);
            TlsTransport secure =
                    o.tls() == null ? null : new TlsTransport(plain, o.tls().clientEngine(host, port));
            ConnectionImpl c = new ConnectionImpl(
                    secure != null ? secure : plain,
                    false,
                    o.inputBufferSize(),
                    o.outputBufferSize(),
                    new LongAdder(),
                    new LongAdder());
            if (o.readTimeout() != null) {
                c.readTimeoutMillis(Checks.millis("readTimeout", o.readTimeout())); // the transport's: TLS keeps it
            }
            if (secure == null) {
                return c;
            }
            Object hint = Tasklets.blockingOn("TLS handshake " + c);
            try {
                // bounded by the connect timeout and the TLS options' own, whichever is shorter
                secure.handshake(Math.min(
                        Checks.millis("connectTimeout", o.connectTimeout()),
                        Checks.millis("handshakeTimeout", o.tls().handshakeTimeout())));
            } catch (javax.net.ssl.SSLException e) {
                SSLHandshakeException h = new SSLHandshakeException(
                        "TLS handshake with " + host + ":" + port + " failed: " + e.getMessage());
                h.initCause(e);
                throw h;
            } finally {
                Tasklets.unblocked(hint);
            }
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
