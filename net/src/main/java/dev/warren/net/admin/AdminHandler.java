package dev.warren.net.admin;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.warren.net.NetObservability;
import dev.warren.net.http.HttpHandler;
import dev.warren.net.http.Request;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.observe.Json;
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
            "/threads.json");

    private final byte[] token; // null: none required
    private final List<Router> extra;
    private final String tryHint;

    AdminHandler(byte[] token, List<Router> extra) {
        this.token = token;
        this.extra = List.copyOf(extra);
        StringBuilder hint = new StringBuilder(" (try /, /capa.json, /tasklets.json, /jobq.json, /sockets.json,"
                + " /streams.json, /pinning.json, /reports.json, /metrics, /metrics.json, /threads");
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
        if (!req.method().equals("GET") && !req.method().equals("HEAD")) {
            return error(405, "method " + req.method() + " not allowed: the admin server only reads (GET)")
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
            default -> {
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
        if (raw == null) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new BadRequest("limit must be a whole number 0.." + MAX_LIMIT + ", was '" + raw + "'");
        }
        if (v < 0 || v > MAX_LIMIT) {
            throw new BadRequest("limit must be 0.." + MAX_LIMIT + ", was " + v);
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
