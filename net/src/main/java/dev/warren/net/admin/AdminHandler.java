package dev.warren.net.admin;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.warren.net.NetObservability;
import dev.warren.net.http.HttpHandler;
import dev.warren.net.http.Request;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.Watchdog;
import dev.warren.tasklets.observe.Json;
import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.Reports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The admin server's requests: see {@link AdminServer} for the endpoints. */
final class AdminHandler implements HttpHandler {
    static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final int MAX_LIMIT = 1_000_000;
    private static final byte[] DASHBOARD = load("dashboard.html");

    /**
     * The paths answered here, as {@link Router} patterns: a route the application adds must share no
     * path with them. {@code /reports/*} keeps the whole {@code /reports/} space for reports.
     */
    static final List<String> BUILT_IN = List.of(
            "/",
            "/index.html",
            "/capa.json",
            "/tasklets.json",
            "/jobq.json",
            "/sockets.json",
            "/streams.json",
            "/pinning.json",
            "/reports.json",
            "/reports/*",
            "/metrics",
            "/metrics.json",
            "/threads",
            "/threads.json",
            "/logs",
            "/logs/*",
            "/watchdog.json");

    private final byte[] token; // null: none required
    private final List<Router> extra;
    private final String tryHint;

    AdminHandler(byte[] token, List<Router> extra) {
        this.token = token;
        this.extra = List.copyOf(extra);
        StringBuilder hint = new StringBuilder(
                " (try /, /capa.json, /tasklets.json, /jobq.json, /sockets.json,"
                        + " /streams.json, /pinning.json, /reports.json, /metrics, /metrics.json, /threads, /logs, /watchdog.json");
        for (Router r : this.extra) {
            for (Router.RouteSpec route : r.routes()) {
                hint.append(", ").append(route.pattern());
            }
        }
        this.tryHint = hint.append(')').toString();
    }

    private static byte[] load(String resource) {
        try (InputStream in = AdminHandler.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the warren-net jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public Response handle(Request req) throws Exception {
        String path = req.path();
        boolean logSwitch = path.startsWith("/logs/") && !path.endsWith(".json");
        if (!req.method().equals("GET")
                && !req.method().equals("HEAD")
                && !(logSwitch && req.method().equals("PUT"))) {
            return logSwitch
                    ? error(
                                    405,
                                    "method " + req.method() + " not allowed on " + path + ": GET reads a log stream's"
                                            + " state, PUT ?enabled=true|false switches it")
                            .header("Allow", "GET, HEAD, PUT")
                    : error(
                                    405,
                                    "method " + req.method() + " not allowed: the admin server only reads (GET),"
                                            + " except PUT /logs/NAME")
                            .header("Allow", "GET, HEAD");
        }
        boolean page = path.equals("/") || path.equals("/index.html");
        // A browser cannot put a header on the address it opens: the page alone also takes the token as
        // ?token=TOKEN, and then sends it as a header with every request it makes.
        if (token != null && !authorized(req.header("Authorization")) && !(page && pageTokenMatches(req.rawQuery()))) {
            return error(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
                    .header("WWW-Authenticate", "Bearer realm=\"warren-admin\"");
        }
        if (page) {
            return Response.status(200)
                    .body(DASHBOARD, "text/html; charset=utf-8")
                    .header("Cache-Control", "no-store")
                    .header("Referrer-Policy", "no-referrer"); // the token in the address goes nowhere else
        }
        try {
            return route(req, path);
        } catch (BadRequest e) {
            return error(400, e.getMessage());
        }
    }

    private Response route(Request req, String path) throws Exception {
        return switch (path) {
            case "/capa.json" -> {
                params(req);
                yield json(Capa.tree());
            }
            case "/tasklets.json" -> {
                Map<String, String> p = params(req, "state", "name", "limit");
                TaskletFilter f = TaskletFilter.parse(p.get("state"), p.get("name"));
                int limit = limit(p.get("limit"), TaskletFilter.DEFAULT_LIMIT);
                yield json(f.apply(Tasklets.snapshot(), limit));
            }
            case "/jobq.json" -> {
                params(req);
                yield json(Reports.snapshot("jobq").orElse(Map.of()));
            }
            case "/sockets.json" -> {
                Map<String, String> p = params(req, "limit");
                yield json(NetObservability.sockets(limit(p.get("limit"), NetObservability.DEFAULT_CONNECTION_LIMIT)));
            }
            case "/streams.json" -> {
                params(req);
                yield json(Reports.snapshot("streams").orElse(Map.of("jobs", List.of())));
            }
            case "/pinning.json" -> {
                params(req);
                yield json(Reports.snapshot("pinning").orElse(Map.of("running", false)));
            }
            case "/reports.json" -> {
                params(req);
                yield json(Map.of("reports", Reports.names()));
            }
            case "/metrics" -> {
                params(req);
                yield Response.status(200)
                        .body(MetricRegistry.global().prometheusText().getBytes(StandardCharsets.UTF_8), PROMETHEUS)
                        .header("Cache-Control", "no-store");
            }
            case "/metrics.json" -> {
                params(req);
                yield json(MetricRegistry.global().toTree());
            }
            case "/threads", "/threads.json" -> {
                params(req);
                yield Response.status(200).body(threadDump(), JSON).header("Cache-Control", "no-store");
            }
            case "/watchdog.json" -> {
                params(req);
                yield json(Watchdog.report());
            }
            case "/logs" -> {
                params(req);
                yield json(Map.of(
                        "streams",
                        LogStreams.all().stream().map(AdminHandler::logState).toList()));
            }
            default -> {
                if (path.startsWith("/logs/")) {
                    yield logs(req, path.substring("/logs/".length()));
                }
                if (path.startsWith("/reports/") && path.endsWith(".json")) {
                    params(req);
                    String name = path.substring("/reports/".length(), path.length() - ".json".length());
                    yield Reports.snapshot(name)
                            .map(AdminHandler::json)
                            .orElseGet(
                                    () -> error(400, "unknown report '" + name + "'; registered: " + Reports.names()));
                }
                for (Router r : extra) {
                    if (r.routeFor(req.method(), path).isPresent()) {
                        yield r.handle(req);
                    }
                }
                yield error(404, "no such endpoint: " + path + tryHint);
            }
        };
    }

    /**
     * {@code PUT /logs/NAME?enabled=true|false} switches a stream, {@code GET /logs/NAME} shows it, and
     * {@code GET /logs/NAME.json?last=N&since=I} reads its memory ring as libmtev's
     * {@code /eventer/logs/NAME.json} does: {@code [{"idx": I, "whence": MILLIS, "line": "..."}, ...]}.
     */
    private static Response logs(Request req, String rest) {
        if (req.method().equals("PUT")) {
            LogStream s = LogStreams.find(rest).orElse(null);
            if (s == null) {
                return error(404, LogStreams.unknown(rest));
            }
            String v = params(req, "enabled").get("enabled");
            if (v == null) {
                throw new BadRequest("PUT /logs/" + rest + " needs ?enabled=true or ?enabled=false");
            }
            if (!v.equals("true") && !v.equals("false")) {
                throw new BadRequest("enabled must be true or false, was '" + v + "'");
            }
            s.enabled(Boolean.parseBoolean(v));
            return json(logState(s));
        }
        if (rest.endsWith(".json")) {
            String name = rest.substring(0, rest.length() - ".json".length());
            LogStream s = LogStreams.find(name).orElse(null);
            if (s == null) {
                return error(404, LogStreams.unknown(name));
            }
            if (!s.keepsMemory()) {
                return error(404, "log stream '" + name + "' keeps no lines in memory (declare it with memory(...))");
            }
            Map<String, String> p = params(req, "last", "since");
            int last = p.containsKey("last") ? limit("last", p.get("last")) : -1;
            long since = p.containsKey("since") ? since(p.get("since")) : -1;
            List<Map<String, Object>> out = new java.util.ArrayList<>();
            for (LogStream.Line l : s.read(last, since)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("idx", l.index());
                m.put("whence", l.whenMillis());
                m.put("line", l.text());
                out.add(m);
            }
            return json(out);
        }
        LogStream s = LogStreams.find(rest).orElse(null);
        if (s == null) {
            return error(404, LogStreams.unknown(rest));
        }
        params(req);
        return json(logState(s));
    }

    static Map<String, Object> logState(LogStream s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("enabled", s.enabled());
        m.put("lines", s.lines());
        m.put("level", s.level().toString());
        if (s.keepsMemory()) {
            m.put("memory", Map.of("lines", s.memoryLines(), "chars", s.memoryChars()));
        }
        return m;
    }

    private static long since(String raw) {
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("since must be a line index >= 0, was '" + raw + "'");
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(header.substring(7).trim());
    }

    /** Whether the page's query is exactly {@code token=TOKEN} with the right token (percent-decoded). */
    private boolean pageTokenMatches(String rawQuery) {
        if (rawQuery == null || !rawQuery.startsWith("token=")) {
            return false;
        }
        try {
            return matches(java.net.URLDecoder.decode(rawQuery.substring(6), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException badEscape) {
            return false;
        }
    }

    private boolean matches(String given) {
        // constant time in the length of the given value
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), token);
    }

    /** The query parameters, each at most once, all among {@code known}; else 400 naming the stranger. */
    private static Map<String, String> params(Request req, String... known) {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> ok = Set.of(known);
        for (Map.Entry<String, List<String>> e : req.queryParams().entrySet()) {
            if (!ok.contains(e.getKey())) {
                throw new BadRequest("unknown query parameter '" + e.getKey() + "'"
                        + (known.length == 0
                                ? " (this endpoint takes none)"
                                : " (known: " + String.join(", ", known) + ")"));
            }
            if (e.getValue().size() > 1) {
                throw new BadRequest("query parameter '" + e.getKey() + "' given "
                        + e.getValue().size() + " times");
            }
            out.put(e.getKey(), e.getValue().get(0));
        }
        return out;
    }

    private static int limit(String raw, int dflt) {
        return raw == null ? dflt : limit("limit", raw);
    }

    private static int limit(String param, String raw) {
        int v;
        try {
            v = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest(param + " must be a whole number 0.." + MAX_LIMIT + ", was '" + raw + "'");
        }
        if (v < 0 || v > MAX_LIMIT) {
            throw new BadRequest(param + " must be 0.." + MAX_LIMIT + ", was " + v);
        }
        return v;
    }

    static Response json(Object tree) {
        return Response.status(200)
                .body(Json.write(tree).getBytes(StandardCharsets.UTF_8), JSON)
                .header("Cache-Control", "no-store");
    }

    static Response error(int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("status", status);
        return Response.status(status).body(Json.write(m).getBytes(StandardCharsets.UTF_8), JSON);
    }

    /** The JDK's JSON thread dump (every platform and virtual thread), via a temporary file it insists on. */
    private static byte[] threadDump() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("warren-threads");
            Path file = dir.resolve("threads.json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("thread dump failed", e);
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir.resolve("threads.json"));
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a leftover file in the temp directory is all that is lost
                }
            }
        }
    }

    /** A bad query value: answered 400 with the message. */
    static final class BadRequest extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
