package dev.warren.net;

import dev.warren.net.internal.Checks;
import dev.warren.tasklets.TaskletScope;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What every listening server has, whatever its protocol: its name, where it listens, how many
 * connections it takes and what happens beyond that, its timeouts and its socket options. Every server
 * builder takes one ({@link TcpServer.Builder#listener}, {@code MessageServer.Builder.listener}, {@code
 * HttpServer.Builder.listener}, {@code AdminServer.Builder.listener}, {@link UdpReceiver.Builder#listener}
 * and the stream sources); each builder keeps only its protocol's own options beside it, and its
 * convenience setters ({@code port(int)}, {@code idleTimeout(Duration)}, ...) change the builder's
 * listener options.
 *
 * <p>Immutable; every component is checked when the value is made (by the constructor and so by every
 * {@code with...} method), and the message names the option and the bad value. Start from {@link
 * #defaults()} or from a server's own defaults (e.g. {@code HttpServer.defaultListener()}, which has an
 * idle timeout of 60 s and the reactor on from JDK 24), and change what you need:
 *
 * {@snippet :
 * ListenerOptions listener = ListenerOptions.defaults()
 *         .withName("orders")
 *         .withBindAddress("127.0.0.1")
 *         .withPort(7000)
 *         .withMaxConnections(1000)
 *         .withLimitPolicy(ConnectionLimitPolicy.REJECT)
 *         .withIdleTimeout(Duration.ofMinutes(5));
 * TcpServer server = TcpServer.builder().listener(listener).handler(handler).start();
 * }
 *
 * <p>A UDP receiver has no connections: it uses the name, bind address and port, and ignores the
 * rest (documented there).
 *
 * <p><b>Threading.</b> A value: share it freely between threads and servers.
 *
 * @param name the server's name, shown in the tasklet registry, logs and metrics (the address is added)
 * @param bindAddress the local address to listen on; null for every local address
 * @param port 0..65535; 0 picks a free port (the server reports the one it got)
 * @param backlog the kernel's queue of connections not yet accepted, {@code > 0}
 * @param reuseAddress SO_REUSEADDR on the listening socket (a restarted server can bind at once)
 * @param maxConnections the most connections served at once, {@code > 0}
 * @param limitPolicy what happens to a connection beyond {@code maxConnections}
 * @param readTimeout the longest one blocking read may wait (then the connection closes with reason
 *     TIMEOUT), {@code > 0}, at most {@link Integer#MAX_VALUE} ms; null for none
 * @param idleTimeout how long a connection may go without reading or writing (for HTTP: waiting for its
 *     next request) before the server closes it, {@code > 0}; null for none
 * @param drainTimeout how long open connections may go on after a close before they are cancelled,
 *     {@code >= 0}
 * @param closeWarningAfter how long a close may wait for the server's tasklets before it logs which
 *     ones it waits for, {@code > 0}
 * @param tcpNoDelay TCP_NODELAY on accepted connections (disables Nagle's algorithm)
 * @param reactor read the connections through one selector tasklet ({@link TcpServer.Builder#reactor})
 * @param tls TLS on every accepted connection (see {@link #withTls}); null for plaintext
 */
public record ListenerOptions(
        String name,
        InetAddress bindAddress,
        int port,
        int backlog,
        boolean reuseAddress,
        int maxConnections,
        ConnectionLimitPolicy limitPolicy,
        Duration readTimeout,
        Duration idleTimeout,
        Duration drainTimeout,
        Duration closeWarningAfter,
        boolean tcpNoDelay,
        boolean reactor,
        TlsOptions tls) {

    private static final ListenerOptions DEFAULTS = new ListenerOptions(
            "tcp-server",
            null,
            0,
            1024,
            true,
            FileDescriptors.DEFAULT_MAX_CONNECTIONS,
            ConnectionLimitPolicy.WAIT,
            null,
            null,
            Duration.ofSeconds(5),
            TaskletScope.DEFAULT_CLOSE_WARNING,
            true,
            false,
            null);

    /** Checks every component; see the class comment for the ranges. */
    public ListenerOptions {
        Objects.requireNonNull(name, "name");
        Checks.port(port);
        Checks.positive("backlog", backlog);
        Checks.positive("maxConnections", maxConnections);
        Objects.requireNonNull(limitPolicy, "limitPolicy");
        if (readTimeout != null) {
            Checks.positive("readTimeout", readTimeout);
            Checks.millis("readTimeout", readTimeout);
        }
        if (idleTimeout != null) {
            Checks.positive("idleTimeout", idleTimeout);
            Checks.millis("idleTimeout", idleTimeout);
        }
        Checks.nonNegative("drainTimeout", drainTimeout);
        Checks.positive("closeWarningAfter", closeWarningAfter);
    }

    /**
     * A {@link TcpServer}'s defaults: named {@code tcp-server}, every local address, a free port, backlog
     * 1024, SO_REUSEADDR on, {@link TcpServer#defaultMaxConnections()} connections then {@link
     * ConnectionLimitPolicy#WAIT}, no read or idle timeout, 5 s to drain, the scope's default close
     * warning, TCP_NODELAY on, no reactor.
     */
    public static ListenerOptions defaults() {
        return DEFAULTS;
    }

    /** These options with another name (non-null). */
    public ListenerOptions withName(String name) {
        return edit(o -> o.name = name);
    }

    /** These options listening on {@code address} (non-null; see {@link #withEveryAddress()}). */
    public ListenerOptions withBindAddress(InetAddress address) {
        return edit(o -> o.bindAddress = Objects.requireNonNull(address, "bindAddress"));
    }

    /**
     * These options listening on {@code host}, a name or a literal address, resolved now.
     *
     * @throws IllegalArgumentException if {@code host} cannot be resolved
     */
    public ListenerOptions withBindAddress(String host) {
        return withBindAddress(Checks.host("bindAddress", host));
    }

    /** These options listening on every local address. */
    public ListenerOptions withEveryAddress() {
        return edit(o -> o.bindAddress = null);
    }

    /** These options with another port, 0..65535 (0: a free one). */
    public ListenerOptions withPort(int port) {
        return edit(o -> o.port = port);
    }

    /** These options with another accept backlog, {@code > 0}. */
    public ListenerOptions withBacklog(int backlog) {
        return edit(o -> o.backlog = backlog);
    }

    /** These options with SO_REUSEADDR on or off. */
    public ListenerOptions withReuseAddress(boolean on) {
        return edit(o -> o.reuseAddress = on);
    }

    /** These options with another connection limit, {@code > 0}. */
    public ListenerOptions withMaxConnections(int max) {
        return edit(o -> o.maxConnections = max);
    }

    /** These options with another policy for connections beyond the limit (non-null). */
    public ListenerOptions withLimitPolicy(ConnectionLimitPolicy policy) {
        return edit(o -> o.limitPolicy = policy);
    }

    /** These options with another read timeout, {@code > 0}; null for none. */
    public ListenerOptions withReadTimeout(Duration timeout) {
        return edit(o -> o.readTimeout = timeout);
    }

    /** These options with another idle timeout, {@code > 0}; null for none. */
    public ListenerOptions withIdleTimeout(Duration timeout) {
        return edit(o -> o.idleTimeout = timeout);
    }

    /** These options with another drain timeout, {@code >= 0}. */
    public ListenerOptions withDrainTimeout(Duration timeout) {
        return edit(o -> o.drainTimeout = timeout);
    }

    /** These options with another close warning, {@code > 0}. */
    public ListenerOptions withCloseWarningAfter(Duration after) {
        return edit(o -> o.closeWarningAfter = after);
    }

    /** These options with TCP_NODELAY on or off. */
    public ListenerOptions withTcpNoDelay(boolean on) {
        return edit(o -> o.tcpNoDelay = on);
    }

    /** These options with the reactor on or off (see {@link TcpServer.Builder#reactor}). */
    public ListenerOptions withReactor(boolean on) {
        return edit(o -> o.reactor = on);
    }

    /**
     * These options with TLS on every accepted connection, or plaintext when {@code tls} is null. Each
     * connection's tasklet does the handshake (bounded by {@link TlsOptions#handshakeTimeout()}) before
     * the server's handler sees the connection; a failed handshake closes it with {@link
     * CloseReason#TLS_HANDSHAKE} or {@link CloseReason#TLS_HANDSHAKE_TIMEOUT}. Works with and without the
     * reactor. A UDP receiver refuses it.
     */
    public ListenerOptions withTls(TlsOptions tls) {
        return edit(o -> o.tls = tls);
    }

    /** These options with one component changed by {@code change}, checked by the canonical constructor. */
    private ListenerOptions edit(java.util.function.Consumer<Parts> change) {
        Parts o = new Parts(this);
        change.accept(o);
        return new ListenerOptions(
                o.name,
                o.bindAddress,
                o.port,
                o.backlog,
                o.reuseAddress,
                o.maxConnections,
                o.limitPolicy,
                o.readTimeout,
                o.idleTimeout,
                o.drainTimeout,
                o.closeWarningAfter,
                o.tcpNoDelay,
                o.reactor,
                o.tls);
    }

    /** The components of a value being edited: the one list of them every {@code with...} shares. */
    private static final class Parts {
        String name;
        InetAddress bindAddress;
        int port;
        int backlog;
        boolean reuseAddress;
        int maxConnections;
        ConnectionLimitPolicy limitPolicy;
        Duration readTimeout;
        Duration idleTimeout;
        Duration drainTimeout;
        Duration closeWarningAfter;
        boolean tcpNoDelay;
        boolean reactor;
        TlsOptions tls;

        Parts(ListenerOptions v) {
            name = v.name;
            bindAddress = v.bindAddress;
            port = v.port;
            backlog = v.backlog;
            reuseAddress = v.reuseAddress;
            maxConnections = v.maxConnections;
            limitPolicy = v.limitPolicy;
            readTimeout = v.readTimeout;
            idleTimeout = v.idleTimeout;
            drainTimeout = v.drainTimeout;
            closeWarningAfter = v.closeWarningAfter;
            tcpNoDelay = v.tcpNoDelay;
            reactor = v.reactor;
            tls = v.tls;
        }
    }

    /** {@code HOST:PORT} as the listener is asked to bind ({@code *} for every address). */
    String bindText() {
        return (bindAddress == null ? "*" : bindAddress.getHostAddress()) + ":" + port;
    }
}
