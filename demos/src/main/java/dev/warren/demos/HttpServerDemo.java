package dev.warren.demos;

import dev.warren.config.WarrenConfig;
import dev.warren.net.TcpServer;
import dev.warren.net.http.Compression;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.HttpServerStats;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.net.http.StaticFiles;
import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketMessage;
import dev.warren.net.http.WebSocketOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code ./http_server [PORT] [--access-log] [--tls CERT KEY]}: an HTTP/1.1 (or HTTPS) server on Warren, one tasklet per connection.
 *
 * <ul>
 *   <li>{@code GET /} a canned HTML page (like Molerat's demo);
 *   <li>{@code GET /hello/{name}} a greeting;
 *   <li>{@code POST /echo} the request body back, with its content type;
 *   <li>{@code GET /stream?n=N} N lines sent as N chunks;
 *   <li>{@code GET /sleep?ms=N} answers after N ms: ten thousand of these park ten thousand tasklets
 *       cheaply;
 *   <li>{@code GET /stats} the server's counters as JSON (the admin server, {@code --admin PORT}, has
 *       everything else).
 * </ul>
 *
 * <p>Ctrl-C (SIGINT) or SIGTERM closes the server gracefully: it stops accepting, lets requests in
 * progress finish (up to 5 s), prints the counters and exits with status 0.
 */
final class HttpServerDemo {
    static final String USAGE = """
            usage: http_server [PORT] [--access-log] [--max-connections N] [--static DIR] [--tls CERT KEY]
              PORT                 the port to listen on, 0..65535 (default 5555; 0 picks a free one)
              --access-log         log one line per request (switches the http.access log stream on;
                                   with --console, 'log enable|disable http.access' while it runs)
              --static DIR         serve the files under DIR at /static/ (ETag, Range, gzip)
              --max-connections N  serve at most N connections at once; more wait in the listen backlog
                                   (default: 90 % of the process's descriptor limit, less 64)
              --tls CERT KEY       serve HTTPS (TLS 1.3 and 1.2, ALPN http/1.1): CERT a PEM certificate
                                   chain (the server's first), KEY its PKCS#8 PEM private key (RSA or EC)
            WebSockets: /ws/echo echoes; /chat is a chat room page for a browser (on /ws/chat);
              both take permessage-deflate when the client offers it""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    /** The canned page, the same bytes as the Netty peer in bench/ serves. */
    static final byte[] PAGE = """
            <!DOCTYPE html>
            <html>
            <head><title>Warren</title></head>
            <body>
            <h1>Hello from Warren</h1>
            <p>This page was served by a tasklet: one virtual thread per connection, reading its socket in
            plain blocking style.</p>
            </body>
            </html>
            """.getBytes(StandardCharsets.UTF_8);

    private HttpServerDemo() {}

    static int run(String[] args) throws InterruptedException {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        int port = 5555;
        boolean accessLog = false;
        boolean portSeen = false;
        int maxConnections = TcpServer.defaultMaxConnections();
        boolean maxConnectionsSeen = false;
        java.nio.file.Path staticDir = null;
        javax.net.ssl.SSLContext tls = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--access-log")) {
                accessLog = true;
            } else if (a.equals("--tls")) {
                if (i + 2 >= args.length) {
                    err.println("http_server: --tls needs a certificate file and a key file (PEM)");
                    err.println(USAGE);
                    return 2;
                }
                try {
                    tls = dev.warren.net.TlsContexts.fromPem(
                            java.nio.file.Path.of(args[++i]), java.nio.file.Path.of(args[++i]));
                } catch (java.io.IOException e) {
                    err.println("http_server: --tls: " + e.getMessage());
                    return 2;
                }
            } else if (a.equals("--static")) {
                String v = i + 1 < args.length ? args[++i] : null;
                if (v == null || !java.nio.file.Files.isDirectory(java.nio.file.Path.of(v))) {
                    err.println("http_server: --static needs a directory, was '" + v + "'");
                    err.println(USAGE);
                    return 2;
                }
                staticDir = java.nio.file.Path.of(v);
            } else if (a.equals("--max-connections")) {
                maxConnectionsSeen = true;
                String v = i + 1 < args.length ? args[++i] : null;
                try {
                    maxConnections = v == null ? -1 : Integer.parseInt(v);
                } catch (NumberFormatException e) {
                    maxConnections = -1;
                }
                if (maxConnections <= 0) {
                    err.println("http_server: --max-connections must be a whole number > 0, was '" + v + "'");
                    err.println(USAGE);
                    return 2;
                }
            } else if (!portSeen) {
                try {
                    port = Integer.parseInt(a);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    err.println("http_server: PORT must be a number 0..65535, was '" + a + "'");
                    err.println(USAGE);
                    return 2;
                }
                portSeen = true;
            } else {
                err.println("http_server: unexpected argument '" + a + "'");
                err.println(USAGE);
                return 2;
            }
        }
        java.util.concurrent.atomic.AtomicReference<HttpServer> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        HttpServer server;
        try {
            // warren.http-servers.http_server of --config, under what the command line says
            WarrenConfig config = ConfigOption.current();
            HttpServer.Builder b = config.has("http-servers", "http_server")
                    ? config.httpServer("http_server")
                    : HttpServer.builder().name("http_server");
            if (portSeen || !ConfigOption.sets("http-servers", "http_server", "port")) {
                b.port(port);
            }
            if (!ConfigOption.sets("http-servers", "http_server", "backlog")) {
                b.backlog(4096);
            }
            if (maxConnectionsSeen) {
                b.maxConnections(maxConnections);
            }
            if (accessLog) {
                b.accessLog(true);
            }
            if (tls != null) {
                b.listener(b.listener().withTls(dev.warren.net.TlsOptions.of(tls)));
            }
            server = b.handler(router(() -> self.get().stats(), staticDir)).start();
            self.set(server);
        } catch (java.io.UncheckedIOException e) {
            err.println("http_server: " + e.getMessage());
            return 1;
        }
        HttpServer s = server;
        GracefulStop.install("http_server", () -> {
            out.println("http_server: shutting down (finishing requests in progress, at most 5 s)...");
            long t0 = System.nanoTime();
            s.close();
            HttpServerStats st = s.stats();
            out.printf(
                    "http_server: stopped in %d ms; %d requests served, %d connections%n",
                    (System.nanoTime() - t0) / 1_000_000,
                    st.requests(),
                    st.tcp().accepted());
        });
        String scheme = tls != null ? "https" : "http";
        out.println("http_server: listening on " + scheme + "://127.0.0.1:" + server.port() + "/  (Ctrl-C to stop)");
        out.println("  try: curl " + (tls != null ? "--cacert CA.pem " : "") + scheme + "://127.0.0.1:" + server.port()
                + "/hello/you");
        out.flush();
        server.awaitTermination();
        return 0;
    }

    /** The demo's WebSockets: the defaults, and permessage-deflate for the peers that offer it (browsers do). */
    static final WebSocketOptions WEBSOCKETS =
            WebSocketOptions.builder().permessageDeflate(true).build();

    /** Everyone in the chat room of {@code /chat}. */
    private static final java.util.Set<WebSocket> ROOM = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A chat room: each text message goes to everyone, written from the sender's tasklet. */
    private static void chat(WebSocket ws) throws java.io.IOException {
        String who = ws.remoteAddress().getAddress().getHostAddress() + ":"
                + ws.remoteAddress().getPort();
        ROOM.add(ws);
        try {
            broadcast(who + " joined (" + ROOM.size() + " here)");
            for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                if (m.isText()) {
                    broadcast(who + ": " + m.text());
                }
            }
        } finally {
            ROOM.remove(ws);
            broadcast(who + " left");
        }
    }

    private static void broadcast(String line) {
        java.util.List<WebSocket> gone = new java.util.ArrayList<>();
        for (WebSocket other : ROOM) {
            try {
                other.sendText(line);
            } catch (java.io.IOException e) {
                gone.add(other); // its own tasklet sees the end and leaves too
            }
        }
        gone.forEach(ROOM::remove);
    }

    /** The page of {@code /chat}: a few lines of HTML and JavaScript on the browser's own WebSocket. */
    static final String CHAT_PAGE = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Warren chat</title>
            <style>body{font:15px system-ui,sans-serif;max-width:40em;margin:2em auto;color:#222}
            #log{border:1px solid #ccc;border-radius:6px;height:20em;overflow-y:auto;padding:.5em;background:#fafafa}
            #log div{margin:.15em 0} form{display:flex;gap:.5em;margin-top:.5em}
            input{flex:1;padding:.4em;font:inherit} button{padding:.4em 1em;font:inherit}</style></head>
            <body><h1>Warren chat</h1><p id="state">connecting…</p><div id="log"></div>
            <form id="f"><input id="msg" autocomplete="off" placeholder="say something"><button>Send</button></form>
            <script>
            const log = document.getElementById('log'), state = document.getElementById('state');
            const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/chat');
            ws.onopen = () => state.textContent = 'connected' + (ws.extensions ? ' (' + ws.extensions + ')' : '')
              + ': every tab on this page is in the room';
            ws.onclose = e => state.textContent = 'closed (' + e.code + ')';
            ws.onmessage = e => { const d = document.createElement('div'); d.textContent = e.data;
              log.appendChild(d); log.scrollTop = log.scrollHeight; };
            document.getElementById('f').onsubmit = e => { e.preventDefault();
              const m = document.getElementById('msg'); if (m.value) { ws.send(m.value); m.value = ''; } };
            </script></body></html>
            """;

    static Router router(java.util.function.Supplier<HttpServerStats> stats, java.nio.file.Path staticDir) {
        Router.Builder r = Router.builder();
        if (staticDir != null) {
            // a router of its own, so that gzip applies to the files only (the benchmarked routes stay as the peers')
            r.mount(
                    "/static",
                    Router.builder()
                            .get("/*", StaticFiles.of(staticDir))
                            .filter(Compression.gzip())
                            .build());
        }
        return r.get("/", req -> Response.status(200).body(PAGE, "text/html; charset=utf-8"))
                .get("/hello/{name}", req -> Response.ok("Hello, " + req.pathParam("name") + "!\n"))
                .post("/echo", req -> {
                    String type = req.header("Content-Type");
                    return Response.status(200).body(req.body(), type == null ? "application/octet-stream" : type);
                })
                .get("/stream", req -> {
                    int n = intParam(req.queryParam("n"), "n", 10, 0, 100_000);
                    return Response.status(200).stream("text/plain; charset=utf-8", body -> {
                        for (int i = 1; i <= n; i++) {
                            body.write(("chunk " + i + " of " + n + "\n").getBytes(StandardCharsets.UTF_8));
                            body.flush();
                        }
                    });
                })
                .websocket("/ws/echo", WEBSOCKETS, ws -> {
                    for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                        if (m.isText()) {
                            ws.sendText(m.text());
                        } else {
                            ws.sendBinary(m.bytes());
                        }
                    }
                })
                .websocket("/ws/chat", WEBSOCKETS, HttpServerDemo::chat)
                .get("/chat", req -> Response.html(CHAT_PAGE))
                .get("/sleep", req -> {
                    int ms = intParam(req.queryParam("ms"), "ms", 100, 0, 60_000);
                    Thread.sleep(ms); // parks this tasklet only
                    return Response.ok("slept " + ms + " ms\n");
                })
                .get(
                        "/stats",
                        req -> Response.status(200)
                                .body(
                                        (dev.warren.tasklets.observe.Json.write(
                                                                stats.get().toTree()) + "\n")
                                                .getBytes(StandardCharsets.UTF_8),
                                        "application/json; charset=utf-8"))
                .filter((req, next) -> {
                    try {
                        return next.handle(req);
                    } catch (BadParameter e) {
                        return Response.text(400, e.getMessage() + "\n");
                    }
                })
                .build();
    }

    private static int intParam(String raw, String name, int dflt, int min, int max) {
        if (raw == null) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new BadParameter(name + " must be a whole number, was '" + raw + "'");
        }
        if (v < min || v > max) {
            throw new BadParameter(name + " must be " + min + ".." + max + ", was " + v);
        }
        return v;
    }

    /** A bad query parameter: the router's filter answers it with 400. */
    static final class BadParameter extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadParameter(String message) {
            super(message);
        }
    }
}
