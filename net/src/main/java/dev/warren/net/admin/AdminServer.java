package dev.warren.net.admin;

import dev.warren.net.ListenerOptions;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Router;
import dev.warren.tasklets.Watchdog;
import dev.warren.tasklets.observe.PinningMonitor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server: what a running Warren program knows about itself, read-only but for switching
 * log streams, on a port of its own, without a line of code beyond starting it.
 *
 * <pre>{@code
 * AdminServer admin = AdminServer.start(9090);   // http://127.0.0.1:9090/
 * // with endpoints of the application's own beside the built-in ones:
 * AdminServer admin = AdminServer.builder().port(9090).routes(DatapathsHttp.router()).start();
 * }</pre>
 *
 * <p><b>Endpoints</b> ({@code GET} unless said otherwise; JSON unless said otherwise):
 * <ul>
 *   <li>{@code /} the live dashboard (one self-contained HTML page; it polls the endpoints below once a second);
 *   <li>{@code /capa.json} version, build commit, JDK, OS, carriers, poller mode, reactor, modules, time;
 *   <li>{@code /tasklets.json?state=&name=&limit=} the live tasklet tree, filtered by state and by a
 *       substring of the name, at most {@code limit} tasklets (default 1,000);
 *   <li>{@code /jobq.json} every job queue with libmtev's field names;
 *   <li>{@code /sockets.json?limit=} every listener and its open connections, newest first, at most
 *       {@code limit} per listener (default 100), with their total;
 *   <li>{@code /streams.json}, {@code /pinning.json}, {@code /reports/NAME.json} (any registered report),
 *       {@code /reports.json} (their names);
 *   <li>{@code /metrics} every metric in the Prometheus text format 0.0.4; {@code /metrics.json} the same
 *       as JSON, histograms with their recent view;
 *   <li>{@code /threads} a thread dump of every thread, virtual threads included (the JDK's own JSON
 *       thread dump, {@code HotSpotDiagnosticMXBean.dumpThreads});
 *   <li>{@code /logs} every {@linkplain dev.warren.tasklets.observe.LogStreams log stream} with its state
 *       and line count; {@code /logs/NAME} one of them; {@code PUT /logs/NAME?enabled=true|false}
 *       switches it (the one endpoint that changes anything; 400 for a bad value, 404 for an unknown
 *       stream); {@code /logs/NAME.json?last=N&since=I} its memory ring as libmtev's
 *       {@code /eventer/logs/NAME.json} reads it: {@code [{"idx": 7, "whence": MILLIS, "line": "..."}]},
 *       only lines after index {@code I}, only the {@code N} most recent;
 *   <li>{@code /watchdog.json} the {@linkplain Watchdog watchdog}: registered heartbeats (overdue or not),
 *       its counters, the scheduler probe's last delay and the last events (overdue heartbeats with their
 *       scope path, lateness and stack; restarts; scheduler stalls with what held the carriers).
 * </ul>
 * An application adds read-only endpoints of its own with {@link Builder#routes(Router)} (for
 * example the datapath views, {@code DatapathsHttp.router()} in warren-streaming); they are served
 * beside these, behind the same token.
 *
 * <p>Unknown paths answer 404, other methods 405, bad query values 400 (an unknown parameter, a limit that
 * is not a whole number {@code >= 0}, an unknown state, an unknown report name), each with {@code {"error": "..."}} naming the
 * bad value. No endpoint changes anything but {@code PUT /logs/NAME}, which switches a log stream.
 *
 * <p><b>Security.</b> Binds {@code 127.0.0.1} unless told otherwise; binding any other address logs a
 * warning, since the endpoints show the program's insides. With a {@linkplain Builder#token token},
 * every endpoint requires {@code Authorization: Bearer TOKEN} (compared in constant time; 401
 * otherwise). The dashboard page, which a browser opens without headers, also takes it as
 * {@code /?token=TOKEN}, and sends it as that header with each request it makes.
 *
 * <p><b>Threading and closing.</b> The server is an {@link HttpServer} (its tasklets belong to the
 * caller's tasklet, if any); every method may be called from any thread; {@link #close()} blocks until
 * its tasklets have ended. Starting it starts the process-wide {@link PinningMonitor#shared() pinning
 * monitor} (a JFR stream) unless {@link Builder#pinningMonitor(boolean) told not to}, and the {@link
 * Watchdog}'s thread; closing leaves them running, as other users may share them.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer http;

    private AdminServer(HttpServer http) {
        this.http = http;
    }

    /** Starts an admin server on {@code 127.0.0.1:port} (0 picks a free port), without a token. */
    public static AdminServer start(int port) {
        return builder().port(port).start();
    }

    /** A builder: port 0, address 127.0.0.1, no token, pinning monitor on. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The admin server's listener defaults, for {@link Builder#listener(ListenerOptions)}: {@link
     * HttpServer#defaultListener()} named {@code admin}, bound to 127.0.0.1 only, at most 256
     * connections.
     */
    public static ListenerOptions defaultListener() {
        return HttpServer.defaultListener()
                .withName("admin")
                .withBindAddress("127.0.0.1")
                .withMaxConnections(256);
    }

    /** The port it listens on. */
    public int port() {
        return http.port();
    }

    /** The address it listens on. */
    public InetSocketAddress localAddress() {
        return http.localAddress();
    }

    /** Stops it and waits for its tasklets; harmless twice. */
    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "AdminServer[" + http.localAddress() + "]";
    }

    /** Configures an {@link AdminServer}; each option is checked as it is set. Not thread-safe. */
    public static final class Builder {
        private ListenerOptions listener = defaultListener();
        private byte[] token;
        private boolean pinning = true;
        private final List<Router> extra = new ArrayList<>();

        private Builder() {}

        /**
         * Takes every listener option at once, replacing what was set before; the setters below change
         * single ones. Start from {@link AdminServer#defaultListener()} to keep the admin defaults
         * (loopback only).
         *
         * @throws IllegalArgumentException if {@code options} has a read timeout (see {@link
         *     HttpServer.Builder#listener})
         */
        public Builder listener(ListenerOptions options) {
            Objects.requireNonNull(options, "listener");
            HttpServer.builder().listener(options); // the HTTP server's own check, at the setter
            this.listener = options;
            return this;
        }

        /** The listener options as set so far. */
        public ListenerOptions listener() {
            return listener;
        }

        /** The port, 0..65535 (0, the default, picks a free one). */
        public Builder port(int port) {
            listener = listener.withPort(port);
            return this;
        }

        /** The address to bind; default 127.0.0.1. Anything not loopback is warned about. */
        public Builder bindAddress(InetAddress address) {
            listener = listener.withBindAddress(address);
            return this;
        }

        /** The address to bind, by name or literal; default 127.0.0.1. Anything not loopback is warned about. */
        public Builder bindAddress(String host) {
            listener = listener.withBindAddress(host);
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer TOKEN} on every data endpoint. At least 16 characters,
         * printable ASCII without spaces, so that it fits a header and cannot be guessed in passing.
         */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("token must be at least 16 printable ASCII characters without"
                        + " spaces, was " + token.length() + " characters" + (token.isBlank() ? " (blank)" : ""));
            }
            this.token = token.getBytes(StandardCharsets.US_ASCII);
            return this;
        }

        /** Whether starting it starts the shared pinning monitor (a JFR stream) for {@code /pinning.json}. Default true. */
        public Builder pinningMonitor(boolean on) {
            this.pinning = on;
            return this;
        }

        /**
         * Serves {@code router}'s routes beside the built-in endpoints, behind the same {@linkplain
         * #token token}, with the same 405 for any method but {@code GET} and {@code HEAD}; a path that no
         * route matches still answers the JSON 404. Called more than once, the routers are tried in the
         * order given. The router's handlers run on the request's connection tasklet, as any {@link
         * HttpServer} handler does, and may stream ({@code Response.stream}).
         *
         * @throws IllegalArgumentException if a route is not {@code GET} or {@code HEAD} (the admin server
         *     only reads), or shares a path with a built-in endpoint ({@code /reports/} is kept whole for
         *     reports) or with a route added before; the message names both
         */
        public Builder routes(Router router) {
            Objects.requireNonNull(router, "router");
            for (Router.RouteSpec r : router.routes()) {
                if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
                    throw new IllegalArgumentException(
                            "admin route " + r + " is not GET or HEAD: the admin server only reads");
                }
                for (String builtIn : AdminHandler.BUILT_IN) {
                    if (Router.overlap(r.pattern(), builtIn)) {
                        throw new IllegalArgumentException("admin route " + r + " clashes with the built-in endpoint "
                                + builtIn + " (they share a path); choose another path");
                    }
                }
                for (Router before : extra) {
                    for (Router.RouteSpec other : before.routes()) {
                        if (Router.overlap(r.pattern(), other.pattern())) {
                            throw new IllegalArgumentException("admin route " + r + " clashes with " + other
                                    + ", added before (they share a path); choose another path");
                        }
                    }
                }
            }
            extra.add(router);
            return this;
        }

        /** The name of its HTTP server (and of its tasklets' scope). Default "admin". */
        public Builder name(String name) {
            listener = listener.withName(name);
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @throws java.io.UncheckedIOException if the address cannot be bound
         */
        public AdminServer start() {
            InetAddress bind = listener.bindAddress();
            if (bind == null || !bind.isLoopbackAddress()) {
                LOG.warn(
                        "admin server bound to {}, not a loopback address: everyone who can reach it can read"
                                + " the program's tasklets, connections and metrics{}",
                        bind == null ? "every address" : bind.getHostAddress(),
                        token == null ? " (and no token is set)" : "");
            }
            if (pinning) {
                PinningMonitor.shared();
            }
            Capa.register();
            Watchdog.start(); // stalls are watched from the start, heartbeats or not
            HttpServer http = HttpServer.builder()
                    .listener(listener)
                    .handler(new AdminHandler(token, extra))
                    .start();
            LOG.info("admin server on http://{}/", dev.warren.net.admin.AdminHandler.hostPort(http.localAddress()));
            return new AdminServer(http);
        }
    }
}
