package dev.warren.net;

import dev.warren.net.internal.Checks;
import dev.warren.tasklets.TaskletScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A TCP server: one acceptor tasklet, and one tasklet per accepted connection running the
 * {@link ConnectionHandler}, all inside the server's own supervising {@link dev.warren.tasklets.TaskletScope}.
 *
 * <pre>{@code
 * try (TcpServer server = TcpServer.builder().port(7000).handler(conn -> {
 *         for (String line; (line = conn.readLine(8192)) != null; ) conn.writeLine(line).flush();
 *     }).start()) {
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread, except {@link #close()} and
 * {@code awaitTermination} from one of the server's own tasklets (a handler, or a tasklet it forked):
 * they would wait for their caller, so they throw {@link IllegalStateException} instead and change
 * nothing. To shut a server down from a handler, close it from another tasklet:
 * {@code Tasklets.start("shutdown", server::close)}. {@link #close()} and {@code awaitTermination}
 * block; the others return at once.
 *
 * <p><b>Ownership.</b> The server owns its listening socket, its tasklets and every accepted
 * connection. Its scope is opened by the thread that calls {@link Builder#start()}; when that thread is
 * a tasklet, the server belongs to it (cancelling that tasklet cancels the server's tasklets too). The
 * scope is {@linkplain dev.warren.tasklets.TaskletScope.Builder#standalone() standalone}: a scope open
 * on that thread (its deadline, a failure) does not stop the server, and closing the server does not
 * cancel scopes opened on that thread after it.
 * A handler failure closes only its own connection, is logged and counted; the server keeps serving.
 *
 * <p><b>Limits and timeouts.</b> Beyond {@linkplain Builder#maxConnections max connections} (by default
 * derived from the process's descriptor limit, see {@link #defaultMaxConnections()}) the {@link
 * ConnectionLimitPolicy} applies. When {@code accept} fails for a reason that is not the peer's (the
 * process is out of descriptors or buffers), the acceptor backs off, from 10 ms doubling up to 1 s,
 * and logs one warning per 10 s with the count of the failures in between. The {@linkplain Builder#readTimeout read timeout} bounds each
 * blocking read (the read throws {@link java.net.SocketTimeoutException}); the
 * {@linkplain Builder#idleTimeout idle timeout} closes a connection on which nothing was read or written
 * for that long (checked by an idle-reaper tasklet four times per timeout). Both count as
 * {@link CloseReason#TIMEOUT}.
 *
 * <p><b>Closing.</b> {@link #close()} stops accepting (the listening socket is closed at once), lets the
 * connections finish for up to the {@linkplain Builder#drainTimeout drain timeout}, then closes the
 * sockets of those still open and cancels their tasklets (counted as {@link CloseReason#SHUTDOWN}), and
 * returns when every tasklet of the server has ended. Closing twice is harmless; a second caller
 * waits for the first to finish. A handler that ignores the cancellation (swallows the interrupt and
 * does not touch its closed socket) keeps {@code close()} waiting: the server's scope then logs a WARN
 * naming each such tasklet with its stack, {@linkplain Builder#closeWarningAfter closeWarningAfter}
 * (10 s by default) after the drain and again each time the wait has doubled, while it lasts. To bound
 * the wait, close from another tasklet and wait with {@link #awaitTermination(Duration)}:
 * {@code Tasklets.start("close", server::close); server.awaitTermination(limit)}.
 */
public sealed interface TcpServer extends AutoCloseable permits TcpServerImpl {

    /** A builder with the defaults listed on each option. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Whether {@link Builder#reactor reactor(true)} is honoured on this JDK: from JDK 24 on, where a virtual
     * thread waiting in a selector does not pin its carrier (JEP 491). Before, servers asked for a reactor
     * read their sockets per connection.
     */
    static boolean reactorSupported() {
        return Runtime.version().feature() >= 24;
    }

    /**
     * A TCP server's listener defaults, for {@link Builder#listener(ListenerOptions)}: {@link
     * ListenerOptions#defaults()}.
     */
    static ListenerOptions defaultListener() {
        return ListenerOptions.defaults();
    }

    /**
     * The default of {@link Builder#maxConnections}: 90 % of the file descriptors the process's limit
     * leaves beyond those open when this is first asked (usually when the first server starts), less 64,
     * so that a flood of clients waits in the listen backlog (or is turned away, see {@link
     * ConnectionLimitPolicy}) before the process runs out of descriptors; with a limit of 20,000 and 100
     * open that is 17,846. {@link Integer#MAX_VALUE} where the JDK cannot tell the limit.
     * Several servers in one process each take this default: give each its share with {@code
     * maxConnections} when that matters.
     */
    static int defaultMaxConnections() {
        return FileDescriptors.DEFAULT_MAX_CONNECTIONS;
    }

    /**
     * The server's name as its reports and metrics show it: the builder's {@linkplain Builder#name name} and
     * the address it listens on, e.g. {@code "api 0.0.0.0:8080"}.
     */
    String name();

    /** The port the server listens on (the real one when it was started with port 0). */
    int port();

    /** The address the server listens on. */
    InetSocketAddress localAddress();

    /** The server's counters now. Never blocks. */
    TcpServerStats stats();

    /** True from {@link #close()} on. */
    boolean isClosing();

    /**
     * Blocks until the server was closed and every one of its tasklets has ended.
     *
     * @throws IllegalStateException if called from one of the server's own tasklets ({@link #isCallerInside()})
     */
    void awaitTermination() throws InterruptedException;

    /**
     * Like {@link #awaitTermination()}, at most {@code timeout}; returns true if the server terminated.
     *
     * @throws IllegalStateException if called from one of the server's own tasklets ({@link #isCallerInside()})
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /**
     * Stops accepting, drains, cancels what is left and waits for it; see the class comment.
     *
     * @throws IllegalStateException if called from one of the server's own tasklets ({@link #isCallerInside()}),
     *     which it would wait for; the server is left running
     */
    @Override
    void close();

    /**
     * True if the calling thread is one of the server's tasklets: a connection handler, or a tasklet
     * below one (forked in a scope it opened). {@link #close()} and {@code awaitTermination} refuse such
     * callers.
     */
    boolean isCallerInside();

    /**
     * Configures a {@link TcpServer}; {@link #start()} binds and starts it. Every option is checked
     * when it is set, and the message names the bad value. Not thread-safe; may start several servers.
     */
    final class Builder {
        ListenerOptions listener = ListenerOptions.defaults();
        ConnectionHandler handler;
        int inputBufferSize = 8192;
        int outputBufferSize = 8192;
        String protocol = "tcp";

        Builder() {}

        /**
         * Takes every listener option at once (name, address, port, limits, timeouts, socket options),
         * replacing what was set before; the setters below change single ones.
         */
        public Builder listener(ListenerOptions options) {
            this.listener = Objects.requireNonNull(options, "listener");
            return this;
        }

        /** The listener options as set so far. */
        public ListenerOptions listener() {
            return listener;
        }

        /**
         * What the server speaks, shown in the {@code sockets} report and as the {@code protocol} label of its
         * metrics: {@code "tcp"} by default; {@code HttpServer} says {@code "http"}, {@code MessageServer}
         * {@code "framed"}. Letters, digits, {@code -} and {@code _}, 1 to 32 of them.
         */
        public Builder protocol(String protocol) {
            Objects.requireNonNull(protocol, "protocol");
            if (!protocol.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException(
                        "protocol must be 1-32 letters, digits, - or _, was '" + protocol + "'");
            }
            this.protocol = protocol;
            return this;
        }

        /** The name of the server's scope and the prefix of its tasklets' names. Default "tcp-server". */
        public Builder name(String name) {
            listener = listener.withName(name);
            return this;
        }

        /** The local address to listen on. Default: every local address (the wildcard address). */
        public Builder bindAddress(InetAddress address) {
            listener = listener.withBindAddress(address);
            return this;
        }

        /** Like {@link #bindAddress(InetAddress)}, by name or literal ("127.0.0.1", "::1"). */
        public Builder bindAddress(String host) {
            listener = listener.withBindAddress(host);
            return this;
        }

        /** The port, 0..65535; 0 (the default) picks a free ephemeral port, see {@link TcpServer#port()}. */
        public Builder port(int port) {
            listener = listener.withPort(port);
            return this;
        }

        /** Required: what runs for each connection. */
        public Builder handler(ConnectionHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** TCP_NODELAY on accepted sockets. Default true: Nagle plus delayed ACKs cost ~40 ms a round trip. */
        public Builder tcpNoDelay(boolean on) {
            listener = listener.withTcpNoDelay(on);
            return this;
        }

        /** SO_REUSEADDR on the listening socket. Default true, so a restarted server rebinds at once. */
        public Builder reuseAddress(boolean on) {
            listener = listener.withReuseAddress(on);
            return this;
        }

        /** The listen backlog asked of the kernel (which may cap it). Default 1024. */
        public Builder backlog(int backlog) {
            listener = listener.withBacklog(backlog);
            return this;
        }

        /** The most connections served at once. Default {@link TcpServer#defaultMaxConnections()}. */
        public Builder maxConnections(int max) {
            listener = listener.withMaxConnections(max);
            return this;
        }

        /** What happens to connections beyond {@link #maxConnections}. Default {@link ConnectionLimitPolicy#WAIT}. */
        public Builder limitPolicy(ConnectionLimitPolicy policy) {
            listener = listener.withLimitPolicy(policy);
            return this;
        }

        /** The longest one blocking read may wait, {@code > 0}. Default none. */
        public Builder readTimeout(Duration timeout) {
            listener = listener.withReadTimeout(Objects.requireNonNull(timeout, "readTimeout"));
            return this;
        }

        /** How long a connection may go without reading or writing a byte, {@code > 0}. Default none. */
        public Builder idleTimeout(Duration timeout) {
            listener = listener.withIdleTimeout(Objects.requireNonNull(timeout, "idleTimeout"));
            return this;
        }

        /** How long {@link TcpServer#close()} lets connections finish, {@code >= 0}. Default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            listener = listener.withDrainTimeout(timeout);
            return this;
        }

        /**
         * How long {@link TcpServer#close()}, past the drain, may wait for tasklets that ignore their
         * cancellation before it names them at WARN with their stacks (then at 2, 4, 8... times this, at
         * most 5 minutes apart), {@code > 0}. Default {@link TaskletScope#DEFAULT_CLOSE_WARNING} (10 s);
         * see {@link TaskletScope.Builder#closeWarningAfter}.
         */
        public Builder closeWarningAfter(Duration after) {
            listener = listener.withCloseWarningAfter(after);
            return this;
        }

        /** The input buffer of each connection, in bytes, {@code >= 64}. Default 8192. */
        public Builder inputBufferSize(int bytes) {
            this.inputBufferSize = Checks.atLeast("inputBufferSize", 64, bytes);
            return this;
        }

        /** The output buffer of each connection, in bytes, {@code >= 64}. Default 8192. */
        public Builder outputBufferSize(int bytes) {
            this.outputBufferSize = Checks.atLeast("outputBufferSize", 64, bytes);
            return this;
        }

        /**
         * Whether one reactor tasklet reads the sockets of all connections through a {@link
         * java.nio.channels.Selector} and hands the bytes to the connection tasklets. Default false: each
         * tasklet reads its own blocking socket, and the JDK parks it on its poller when there is
         * nothing to read.
         *
         * <p>The reactor saves the JDK poller's per-wait costs (a failed read, re-arming a one-shot
         * registration, a hand-off from the poller's platform thread) when many connections exchange
         * small messages; Warren's HTTP server uses it by default. Handlers see no difference: reads
         * and writes block the same way, with the same timeouts and exceptions. Before JDK 24 a
         * virtual thread waiting in a selector would pin its carrier (the selector's monitor), so there
         * the server logs a warning and its connections read their own sockets; see docs/ARCHITECTURE.md,
         * "Reactor".
         */
        public Builder reactor(boolean on) {
            listener = listener.withReactor(on);
            return this;
        }

        /**
         * Binds the listening socket and starts the acceptor. The server's scope is owned by the calling
         * thread's tasklet, if any.
         *
         * @throws IllegalStateException if no handler was set
         * @throws UncheckedIOException if the socket cannot be bound (port in use, address not local...)
         */
        public TcpServer start() {
            if (handler == null) {
                throw new IllegalStateException("handler must be set before start()");
            }
            try {
                return TcpServerImpl.start(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + listener.bindText() + ": " + e.getMessage(), e);
            }
        }
    }
}
