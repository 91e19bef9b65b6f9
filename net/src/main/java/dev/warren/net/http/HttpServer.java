package dev.warren.net.http;

import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import dev.warren.net.TlsOptions;
import dev.warren.net.internal.Checks;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.observe.LogLimiter;
import dev.warren.tasklets.observe.LogStreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server (RFC 9112) on a {@link TcpServer}: one tasklet per connection reads a request,
 * calls the {@link HttpHandler} (usually a {@link Router}), writes the response, and goes on to the next
 * request while the connection is kept alive. From JDK 24 the sockets are read by the server's
 * {@linkplain Builder#reactor reactor} tasklet, which hands each connection's bytes to its tasklet;
 * handlers still read bodies and write responses in blocking style.
 *
 * <pre>{@code
 * Router router = Router.builder()
 *         .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
 *         .build();
 * try (HttpServer server = HttpServer.builder().port(8080).handler(router).start()) {
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p><b>Protocol.</b> Keep-alive by default for HTTP/1.1, {@code Connection: close} honoured both ways,
 * HTTP/1.0 kept alive only when it asks; pipelined requests answered in order (responses of requests
 * already received leave in one write); chunked request bodies with trailers; {@code Expect:
 * 100-continue} answered when the handler first reads the body; {@code HEAD} without a body;
 * {@code Date} and {@code Content-Length} (or chunking) added to every response. Bad input gets the
 * status of its {@link HttpParseException} (see there) and the connection is then closed; so does a
 * request that stalls (408). A handler exception gives 500, logged with the request; the connection
 * lives on when the request body was read completely.
 *
 * <p><b>Timeouts.</b> The head of a request must arrive within the {@linkplain Builder#headerTimeout
 * header timeout} of its first byte; each read of a body may wait at most the {@linkplain
 * Builder#bodyReadTimeout body read timeout}; a kept-alive connection may wait at most the
 * {@linkplain Builder#idleTimeout idle timeout} for its next request, then is closed silently (counted
 * as a {@link dev.warren.net.CloseReason#TIMEOUT} close in {@link #stats()}; checked
 * by the server's idle reaper, one tasklet in the server's scope, every quarter of the idle timeout, at
 * most every 250 ms, so a close may come that much late; the wait for a request itself is untimed and
 * arms no timer).
 *
 * <p><b>Closing.</b> {@link #close()} stops accepting, closes connections waiting between requests at
 * once, lets requests in progress finish (their responses carry {@code Connection: close}) for up to the
 * drain timeout, then cancels what is left, and returns when every tasklet of the server has ended.
 *
 * <p><b>Ownership.</b> As for {@link dev.warren.net.TcpServer}: the server's tasklets run in a
 * {@linkplain dev.warren.tasklets.TaskletScope.Builder#standalone() standalone} scope that belongs to
 * the tasklet that calls {@link Builder#start()}, if any; scopes open on that thread neither stop the
 * server nor are stopped by it.
 *
 * <p><b>Threading.</b> Every method may be called from any thread except {@code close} and
 * {@code awaitTermination} from a handler: they would wait for the handler itself, so they throw
 * {@link IllegalStateException} instead (the handler's request then gets a 500) and leave the server
 * running. A handler that shuts the server down closes it from another tasklet:
 * {@code Tasklets.start("shutdown", server::close)}.
 */
public final class HttpServer implements AutoCloseable {
    static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    final String name;
    final HttpHandler handler;
    final HttpLimits limits;
    final long headerTimeoutNanos;
    final int bodyReadTimeoutMillis;
    final int idleTimeoutMillis;
    final boolean yieldBeforeWait;
    /**
     * Above this many open connections, {@linkplain Builder#yieldBeforeWait yielding} stops: the JDK's
     * scheduler runs a carrier's local queue (where a yield goes) until it is empty before it takes the
     * wake-ups the socket poller submits, so thousands of connections that each yield between
     * requests can hold back the ones that parked, and the latency tail grows (at 5,000 connections
     * a max latency of 0.2-1.3 s and in one run of four a p99 of 382 ms, against 104-119 ms when
     * parking directly; docs/BENCHMARKS.md). Parking directly is fair, in the poller's order.
     */
    static final int YIELD_MAX_CONNECTIONS = 1024;

    final Set<ServerConnection> live = ConcurrentHashMap.newKeySet();
    final LongAdder requests = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    final BodyBudget bodies;
    /** Handler failures are logged one per 10 s, with the count of the others, so a broken handler cannot flood the log. */
    final LogLimiter errorLog = new LogLimiter(Duration.ofSeconds(10));

    volatile boolean closing;
    private final TcpServer tcp;
    /** Requests by method and status class, and their durations; null when library metrics are off. */
    final HttpMetrics metrics;

    private HttpServer(Builder b) {
        ListenerOptions listener = b.listener;
        TlsOptions tls = listener.tls();
        if (tls != null && tls.applicationProtocols().isEmpty()) {
            listener = listener.withTls(
                    tls.withApplicationProtocols("http/1.1")); // ALPN: a client offering h2 too gets this
        }
        this.name = listener.name();
        this.handler = b.handler;
        this.limits = b.limits;
        this.headerTimeoutNanos = b.headerTimeout.toNanos();
        this.bodyReadTimeoutMillis = Checks.millis("bodyReadTimeout", b.bodyReadTimeout);
        this.idleTimeoutMillis =
                listener.idleTimeout() == null ? 0 : Checks.millis("idleTimeout", listener.idleTimeout());
        if (b.accessLog) {
            LogStreams.HTTP_ACCESS.enabled(true);
        }
        this.bodies = new BodyBudget(b.maxBufferedBodyBytes);
        // the yield saves a trip through the JDK poller, which connections read by a reactor never take
        this.yieldBeforeWait = b.yieldBeforeWait && !(listener.reactor() && TcpServer.reactorSupported());
        // The TCP server's idle reaper is the one idle mechanism: each connection gives it the HTTP rule
        // (ServerConnection.sweep: only the wait for the next request counts), so it runs in the
        // server's scope and ends with it.
        this.tcp = TcpServer.builder()
                .listener(listener)
                .protocol("http")
                .handler(conn -> new ServerConnection(this, conn).run())
                .start();
        this.metrics = HttpMetrics.ON ? new HttpMetrics(this, tcp.name()) : null;
    }

    /** A builder with the defaults listed on each option. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An HTTP server's listener defaults, for {@link Builder#listener(ListenerOptions)}: {@link
     * ListenerOptions#defaults()} named {@code http-server}, with an idle timeout of 60 s and the reactor
     * on where it is supported ({@link TcpServer#reactorSupported()}).
     */
    public static ListenerOptions defaultListener() {
        return ListenerOptions.defaults()
                .withName("http-server")
                .withIdleTimeout(Duration.ofSeconds(60))
                .withReactor(TcpServer.reactorSupported());
    }

    /** The port the server listens on (the real one when started with port 0). */
    public int port() {
        return tcp.port();
    }

    /** The address the server listens on. */
    public InetSocketAddress localAddress() {
        return tcp.localAddress();
    }

    /**
     * Turns the access log on or off: a shortcut for {@code LogStreams.HTTP_ACCESS.enabled(on)}. The
     * access log is the process-wide {@linkplain LogStreams#HTTP_ACCESS log stream {@code http.access}}
     * (SLF4J logger {@code http.access}, INFO, one line per request, the last 1,000 kept in memory), so
     * the switch applies to every {@code HttpServer} of the process, as {@code PUT
     * /logs/http.access?enabled=...} on the admin server does.
     */
    public void accessLog(boolean on) {
        LogStreams.HTTP_ACCESS.enabled(on);
    }

    /** Whether the access log (the {@code http.access} stream) is on. */
    public boolean accessLog() {
        return LogStreams.HTTP_ACCESS.enabled();
    }

    /** The counters now. Never blocks. */
    public HttpServerStats stats() {
        return new HttpServerStats(requests.sum(), rejected.sum(), handlerErrors.sum(), tcp.stats());
    }

    /** True from {@link #close()} on. */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Blocks until the server was closed and all its tasklets have ended.
     *
     * @throws IllegalStateException if called from a handler, which it would wait for
     */
    public void awaitTermination() throws InterruptedException {
        tcp.awaitTermination();
    }

    /**
     * Like {@link #awaitTermination()}, at most {@code timeout}; true if the server terminated.
     *
     * @throws IllegalStateException if called from a handler, which it would wait for
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return tcp.awaitTermination(timeout);
    }

    /**
     * Graceful close, see the class comment. Harmless twice.
     *
     * @throws IllegalStateException if called from a handler (or a tasklet below one), which it would
     *     wait for; the server is left running
     */
    @Override
    public void close() {
        if (tcp.isCallerInside()) {
            throw TaskletScope.selfWaitRefused(
                    "HTTP server '" + name + "'",
                    "closed",
                    "close it from another tasklet, e.g. Tasklets.start(\"shutdown\", server::close)");
        }
        closing = true;
        for (ServerConnection c : live) {
            c.closeIfIdle();
        }
        tcp.close();
        if (metrics != null) {
            metrics.close();
        }
    }

    @Override
    public String toString() {
        return "HttpServer[" + name + " " + tcp.localAddress() + ", " + live.size() + " connections"
                + (closing ? ", closing" : "") + "]";
    }

    /**
     * Configures an {@link HttpServer}; every option is checked when set, and the message names the bad
     * value. Not thread-safe.
     */
    public static final class Builder {
        ListenerOptions listener = defaultListener();
        HttpHandler handler;
        HttpLimits limits = HttpLimits.defaults();
        Duration headerTimeout = Duration.ofSeconds(10);
        Duration bodyReadTimeout = Duration.ofSeconds(30);
        long maxBufferedBodyBytes = defaultMaxBufferedBodyBytes();
        boolean accessLog;
        boolean yieldBeforeWait = true;

        private Builder() {}

        /**
         * Takes every listener option at once (name, address, port, backlog, connection limit and policy,
         * idle and drain timeouts, TCP_NODELAY, reactor), replacing what was set before; the setters
         * below change single ones. Start from {@link HttpServer#defaultListener()} to keep the HTTP
         * defaults. The idle timeout is the longest a kept-alive connection may wait for its next
         * request (null: no limit).
         *
         * @throws IllegalArgumentException if {@code options} has a read timeout: HTTP times its reads
         *     itself, see {@link #headerTimeout} and {@link #bodyReadTimeout}
         */
        public Builder listener(ListenerOptions options) {
            Objects.requireNonNull(options, "listener");
            if (options.readTimeout() != null) {
                throw new IllegalArgumentException("readTimeout does not apply to an HTTP server (it times its reads"
                        + " with headerTimeout and bodyReadTimeout), was " + options.readTimeout());
            }
            this.listener = options;
            return this;
        }

        /** The listener options as set so far. */
        public ListenerOptions listener() {
            return listener;
        }

        /** The name of the server's scope and tasklets. Default "http-server". */
        public Builder name(String name) {
            listener = listener.withName(name);
            return this;
        }

        /** The port, 0..65535; 0 (the default) picks a free one. */
        public Builder port(int port) {
            listener = listener.withPort(port);
            return this;
        }

        /** The local address to listen on. Default every address. */
        public Builder bindAddress(InetAddress address) {
            listener = listener.withBindAddress(address);
            return this;
        }

        /** The local address to listen on (name or literal). Default every address. */
        public Builder bindAddress(String host) {
            listener = listener.withBindAddress(host);
            return this;
        }

        /** Required: what answers requests, usually a {@link Router}. */
        public Builder handler(HttpHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Size limits. Default {@link HttpLimits#defaults()}. */
        public Builder limits(HttpLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The longest a request head may take from its first byte (then 408). Default 10 s. */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = Checks.positive("headerTimeout", timeout);
            Checks.millis("headerTimeout", timeout);
            return this;
        }

        /** The longest one read of a request body may wait (then 408). Default 30 s. */
        public Builder bodyReadTimeout(Duration timeout) {
            this.bodyReadTimeout = Checks.positive("bodyReadTimeout", timeout);
            Checks.millis("bodyReadTimeout", timeout);
            return this;
        }

        /** The longest a kept-alive connection may wait for its next request (then closed). Default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            listener = listener.withIdleTimeout(Objects.requireNonNull(timeout, "idleTimeout"));
            return this;
        }

        /** How long {@link HttpServer#close()} lets requests in progress finish, {@code >= 0}. Default 5 s. */
        public Builder drainTimeout(Duration timeout) {
            listener = listener.withDrainTimeout(timeout);
            return this;
        }

        /** See {@link TcpServer.Builder#closeWarningAfter}: when a stuck close names its tasklets. Default 10 s. */
        public Builder closeWarningAfter(Duration after) {
            listener = listener.withCloseWarningAfter(after);
            return this;
        }

        /**
         * The most connections served at once; more wait in the listen backlog. Default {@link
         * TcpServer#defaultMaxConnections()}, derived from the process's descriptor limit.
         */
        public Builder maxConnections(int max) {
            listener = listener.withMaxConnections(max);
            return this;
        }

        /** The listen backlog asked of the kernel. Default 1024. */
        public Builder backlog(int backlog) {
            listener = listener.withBacklog(backlog);
            return this;
        }

        /**
         * The most bytes of request bodies the server holds in memory at once, over all connections: a
         * body read whole ({@link Request#body()}, {@link Request#bodyString()}) first reserves its size
         * here (a chunked one 64 KiB at a time as it arrives); when there is no room, it waits for up to
         * the {@linkplain #bodyReadTimeout body read timeout}, then the request gets 503 and its
         * connection closes (counted as {@link dev.warren.net.CloseReason#LIMIT}). Bodies read as a
         * stream ({@link Request#bodyStream()}) do not count. Default: a quarter of the maximum heap
         * (at least 16 MiB). {@code >= 1}.
         */
        public Builder maxBufferedBodyBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBufferedBodyBytes must be >= 1, was " + bytes);
            }
            this.maxBufferedBodyBytes = bytes;
            return this;
        }

        private static long defaultMaxBufferedBodyBytes() {
            long heap = Runtime.getRuntime().maxMemory();
            return heap == Long.MAX_VALUE ? 1L << 30 : Math.max(16L << 20, heap / 4);
        }

        /**
         * True switches the access log (the process-wide {@code http.access} stream, see {@link
         * HttpServer#accessLog(boolean)}) on as the server starts; false, the default, leaves the stream as
         * it is.
         */
        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        /**
         * Whether a connection, having flushed its responses, yields its carrier once before it waits
         * for the next request. Default on; it applies only without the {@linkplain #reactor reactor}.
         *
         * <p>A keep-alive client usually sends its next request as soon as it has read the response.
         * Yielding lets the other runnable tasklets go first; when this connection runs again its next
         * request has often arrived and is read at once, without parking the tasklet on the JDK's
         * socket poller and waking it through the scheduler again. Under load on loopback this gives
         * 5-15 % more requests per second (docs/BENCHMARKS.md); when the next request is not there, it
         * costs one scheduling round per request. It applies while the server has at most 1,024 open
         * connections: beyond that, yielding connections could hold back the ones woken by the poller
         * (the JDK's scheduler runs yielded tasklets first), so each connection parks at once. Turn it
         * off for clients far away on the network, whose next request never arrives that soon.
         */
        public Builder yieldBeforeWait(boolean on) {
            this.yieldBeforeWait = on;
            return this;
        }

        /**
         * Whether one reactor tasklet reads all connections' sockets and hands each request's bytes to
         * its connection's tasklet ({@link dev.warren.net.TcpServer.Builder#reactor}). Default on from
         * JDK 24 (before it, the reactor would pin a carrier while it waits for sockets).
         *
         * <p>A connection waiting for its next request then parks without a system call and is woken
         * from a carrier, not by the JDK's poller thread: at 5,000 keep-alive connections on two cores
         * that is about a fifth less CPU per request (docs/BENCHMARKS.md). With the reactor, {@link
         * #yieldBeforeWait} does not apply: there is no poller round trip for the yield to save.
         */
        public Builder reactor(boolean on) {
            listener = listener.withReactor(on);
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws IllegalStateException if no handler was set
         * @throws java.io.UncheckedIOException if the port cannot be bound
         */
        public HttpServer start() {
            if (handler == null) {
                throw new IllegalStateException("handler must be set before start()");
            }
            return new HttpServer(this);
        }
    }
}
