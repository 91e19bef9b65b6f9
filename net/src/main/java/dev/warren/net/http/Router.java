package dev.warren.net.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Dispatches requests by method and path pattern, with filters around every dispatch.
 *
 * <pre>{@code
 * Router router = Router.builder()
 *         .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
 *         .post("/echo", req -> Response.status(200).body(req.body(), req.header("Content-Type")))
 *         .get("/static/*", req -> serveFile(req.pathParam("*")))
 *         .filter((req, next) -> next.handle(req).header("X-Served-By", "warren"))
 *         .build();
 * }</pre>
 *
 * <p><b>Patterns.</b> A pattern starts with {@code /}; its segments are literals, {@code {name}}
 * parameters matching one non-empty segment, or a final {@code *} matching the rest of the path (zero or
 * more segments, available as {@code pathParam("*")}). Parameters are percent-decoded as UTF-8; a
 * parameter with a malformed escape ({@code %zz}) or escaped bytes that are not UTF-8 gets a 400 answer
 * (the handler is not called). Among the routes whose pattern matches, the first registered for the
 * method wins, so a route that an earlier one of its method shadows (one that matches every path it
 * does) is refused when it is added.
 *
 * <p><b>Answers of its own.</b> 404 when no pattern matches the path; 405 with an {@code Allow} header
 * when patterns match but none for the method; 400 when a path parameter of the route chosen does not
 * decode (parameters are decoded only once a route of the method matched, so a malformed escape in a
 * path that matches nothing still gets 404). {@code HEAD} uses the {@code GET} route unless a
 * {@code HEAD} route exists (the server sends no body for HEAD). Filters run around these answers too.
 *
 * <p><b>Looking inside.</b> {@link #routes()} lists the routes, {@link #routeFor} tells which one a
 * request would reach, and {@link #overlap} whether two patterns share a path: enough for a server that
 * mounts a router beside endpoints of its own (the admin server) to refuse a clash when it is built.
 *
 * <p>Immutable and thread-safe once built.
 */
public final class Router implements HttpHandler {
    /** The largest WebSocket message {@link Builder#websocket(String, WebSocketHandler)} takes: 1 MiB. */
    public static final int DEFAULT_WEBSOCKET_MESSAGE_BYTES = 1 << 20;

    private final List<Route> routes;
    private final List<Filter> filters;
    private final HttpHandler chain;

    private Router(Builder b) {
        this.routes = List.copyOf(b.routes);
        this.filters = List.copyOf(b.filters);
        HttpHandler h = this::dispatch;
        List<Filter> fs = b.filters;
        for (int i = fs.size() - 1; i >= 0; i--) {
            Filter f = fs.get(i);
            HttpHandler next = h;
            h = req -> f.filter(req, next);
        }
        this.chain = h;
    }

    /** An empty router builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response handle(Request request) throws Exception {
        return chain.handle(request);
    }

    /** The routes in the order they are tried. */
    public List<RouteSpec> routes() {
        return routes.stream().map(r -> new RouteSpec(r.method, r.pattern)).toList();
    }

    /**
     * The route a request for {@code method path} would reach (for {@code HEAD}, the {@code GET} route
     * when there is no {@code HEAD} one), or empty if the router would answer 404 or 405 itself. Filters
     * are not consulted.
     */
    public Optional<RouteSpec> routeFor(String method, String path) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Route getFallback = null;
        for (Route r : routes) {
            if (r.match(path) == null) {
                continue;
            }
            if (r.method.equals(method)) {
                return Optional.of(new RouteSpec(r.method, r.pattern));
            }
            if (method.equals("HEAD") && r.method.equals("GET") && getFallback == null) {
                getFallback = r;
            }
        }
        return Optional.ofNullable(getFallback).map(r -> new RouteSpec(r.method, r.pattern));
    }

    /**
     * Whether some path matches both patterns: {@code /a/{x}} and {@code /a/b} overlap, and so do
     * {@code /static/*} and {@code /static}; {@code /a/{x}} and {@code /a} do not (a parameter needs a
     * non-empty segment), nor {@code /a.json} and {@code /a/{x}}.
     *
     * @throws IllegalArgumentException if either pattern is malformed
     */
    public static boolean overlap(String pattern, String other) {
        HttpHandler none = req -> Response.text(500, "never called\n");
        return new Route("GET", pattern, none).overlaps(new Route("GET", other, none));
    }

    /** One route: its method and its pattern, as routed. */
    public record RouteSpec(String method, String pattern) {
        public RouteSpec {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(pattern, "pattern");
        }

        /** {@code "GET /streams/{name}"}. */
        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    private Response dispatch(Request req) throws Exception {
        String path = req.path();
        String method = req.method();
        Route getFallback = null;
        Map<String, String> getParams = null;
        Set<String> allowed = null;
        for (Route r : routes) {
            Map<String, String> params = r.match(path);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method)) {
                return call(r, req, params);
            }
            if (method.equals("HEAD") && r.method.equals("GET") && getFallback == null) {
                getFallback = r;
                getParams = params;
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(r.method);
        }
        if (getFallback != null) {
            return call(getFallback, req, getParams);
        }
        if (allowed == null) {
            return Response.text(404, "not found: " + path + "\n");
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return Response.text(405, "method " + method + " not allowed on " + path + "\n")
                .header("Allow", String.join(", ", allowed));
    }

    /**
     * Decodes the path parameters of the route chosen and calls its handler; 400 if one does not decode.
     * Only the chosen route's parameters are decoded: a path that no route of its method matches gets
     * 404 or 405 whatever its escapes.
     */
    private static Response call(Route r, Request req, Map<String, String> raw) throws Exception {
        if (raw.isEmpty()) {
            return r.handler.handle(req);
        }
        Map<String, String> params = new HashMap<>(raw.size() * 2);
        for (Map.Entry<String, String> p : raw.entrySet()) {
            try {
                params.put(p.getKey(), Request.decodeStrict(p.getValue()));
            } catch (IllegalArgumentException e) {
                return Response.text(
                        400,
                        "bad request: path parameter '" + p.getKey() + "' (" + p.getValue() + ") " + e.getMessage()
                                + "\n");
            }
        }
        return r.handler.handle(req.withPathParams(params));
    }

    /** Configures a {@link Router}. Not thread-safe. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();
        private final List<Filter> filters = new ArrayList<>();

        private Builder() {}

        /** Routes {@code GET pattern}. */
        public Builder get(String pattern, HttpHandler handler) {
            return route("GET", pattern, handler);
        }

        /** Routes {@code POST pattern}. */
        public Builder post(String pattern, HttpHandler handler) {
            return route("POST", pattern, handler);
        }

        /** Routes {@code PUT pattern}. */
        public Builder put(String pattern, HttpHandler handler) {
            return route("PUT", pattern, handler);
        }

        /** Routes {@code DELETE pattern}. */
        public Builder delete(String pattern, HttpHandler handler) {
            return route("DELETE", pattern, handler);
        }

        /**
         * Routes {@code method pattern} to {@code handler}.
         *
         * @throws IllegalArgumentException if the method is not a token, the pattern is malformed, or a
         *     route of the same method routed before matches every path this one does (the same pattern,
         *     or e.g. {@code /b/{id}} before {@code /b/me}, {@code /a/{x}} before {@code /a/{y}},
         *     {@code /static/*} before {@code /static/css/{f}}): this one could never be chosen. The
         *     message names both routes.
         */
        public Builder route(String method, String pattern, HttpHandler handler) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(handler, "handler");
            if (method.isEmpty() || !method.chars().allMatch(HeadReader::isTchar)) {
                throw new IllegalArgumentException("method must be an HTTP token, was '" + method + "'");
            }
            Route r = new Route(method, pattern, handler);
            for (Route other : routes) {
                if (!other.method.equals(method)) {
                    continue;
                }
                if (other.pattern.equals(r.pattern)) {
                    throw new IllegalArgumentException("route " + method + " " + pattern + " defined twice");
                }
                if (other.covers(r)) {
                    throw new IllegalArgumentException("route " + method + " " + pattern + " can never match: "
                            + method + " " + other.pattern + ", routed before it, matches every path it does"
                            + " (the first match wins); route the more specific one first");
                }
            }
            routes.add(r);
            return this;
        }

        /**
         * Routes every route of {@code router} under {@code prefix}: its {@code GET /users/{id}} becomes
         * {@code GET /api/users/{id}} for a prefix {@code /api} (its {@code /} becomes {@code /api}). The
         * mounted router's filters run around each of its handlers, inside this router's filters; its
         * handlers see the whole path. A mounted route is checked like any other: one that an earlier route
         * shadows is refused, naming both.
         *
         * @throws IllegalArgumentException if {@code prefix} does not start with {@code /}, ends with
         *     {@code /}, or has parameters or a {@code *} (it is literal segments)
         */
        public Builder mount(String prefix, Router router) {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(router, "router");
            if (!prefix.startsWith("/")
                    || prefix.endsWith("/")
                    || prefix.contains("{")
                    || prefix.contains("}")
                    || prefix.contains("*")
                    || prefix.contains("//")) {
                throw new IllegalArgumentException(
                        "prefix must be literal segments like /api (no trailing '/', no {param} or *), was '" + prefix
                                + "'");
            }
            for (Route r : router.routes) {
                HttpHandler h = r.handler;
                for (int i = router.filters.size() - 1; i >= 0; i--) {
                    Filter f = router.filters.get(i);
                    HttpHandler next = h;
                    h = req -> f.filter(req, next);
                }
                route(r.method, r.pattern.equals("/") ? prefix : prefix + r.pattern, h);
            }
            return this;
        }

        /**
         * Serves WebSockets (RFC 6455) at {@code pattern}: a {@code GET} with the opening handshake is
         * answered 101 and the connection's tasklet then runs {@code handler}; a plain {@code GET} gets
         * 426 (Upgrade Required), a bad handshake 400. Messages up to 1 MiB; a connection silent for 60 s
         * is pinged, and closed if the pong does not come within another 60 s.
         */
        public Builder websocket(String pattern, WebSocketHandler handler) {
            return websocket(pattern, DEFAULT_WEBSOCKET_MESSAGE_BYTES, Duration.ofSeconds(60), handler);
        }

        /**
         * Like {@link #websocket(String, WebSocketHandler)}, with the largest message taken (larger ones
         * close with 1009) and the idle timeout (null: none).
         *
         * @throws IllegalArgumentException if {@code maxMessageBytes} is not positive or {@code idleTimeout}
         *     is not positive
         */
        public Builder websocket(String pattern, int maxMessageBytes, Duration idleTimeout, WebSocketHandler handler) {
            Objects.requireNonNull(handler, "handler");
            return websocket(pattern, WebSocketOptions.of(maxMessageBytes, idleTimeout), handler);
        }

        /**
         * Like {@link #websocket(String, WebSocketHandler)}, with the given options: message limit, idle
         * timeout and {@code permessage-deflate}.
         */
        public Builder websocket(String pattern, WebSocketOptions options, WebSocketHandler handler) {
            Objects.requireNonNull(handler, "handler");
            return get(pattern, WebSocketUpgrade.handler(handler, WebSocketOptions.require(options)));
        }

        /** Adds a filter; the first added is the outermost. */
        public Builder filter(Filter filter) {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        /** The router. The builder may go on to build others. */
        public Router build() {
            return new Router(this);
        }
    }

    private static final class Route {
        final String method;
        final String pattern;
        final HttpHandler handler;
        final String[] segments; // literal, or null for a parameter
        final String[] names; // parameter names
        final boolean wildcard;

        Route(String method, String pattern, HttpHandler handler) {
            Objects.requireNonNull(pattern, "pattern");
            if (!pattern.startsWith("/")) {
                throw new IllegalArgumentException("pattern must start with '/', was '" + pattern + "'");
            }
            this.method = method;
            this.pattern = pattern;
            this.handler = handler;
            String[] parts = pattern.substring(1).split("/", -1);
            boolean wild = parts.length > 0 && parts[parts.length - 1].equals("*");
            int n = wild ? parts.length - 1 : parts.length;
            segments = new String[n];
            names = new String[n];
            Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                String p = parts[i];
                if (p.startsWith("{") && p.endsWith("}") && p.length() > 2) {
                    String name = p.substring(1, p.length() - 1);
                    if (name.contains("{") || name.contains("}") || name.equals("*") || !seen.add(name)) {
                        throw new IllegalArgumentException("bad parameter '" + p + "' in pattern '" + pattern + "'");
                    }
                    names[i] = name;
                } else if (p.contains("{") || p.contains("}") || p.equals("*")) {
                    throw new IllegalArgumentException("bad segment '" + p + "' in pattern '" + pattern
                            + "' (parameters are whole segments like {id}; '*' only at the end)");
                } else {
                    segments[i] = p;
                }
            }
            this.wildcard = wild;
        }

        /**
         * True if this route matches every path {@code later} matches, so that {@code later}, routed after
         * it for the same method, could never be chosen. A parameter matches any non-empty segment (so it
         * covers a parameter or a non-empty literal), a literal only itself, and a final {@code *} any
         * number of further segments (none included).
         */
        boolean covers(Route later) {
            int m = segments.length;
            int n = later.segments.length;
            if (wildcard ? n < m : later.wildcard || n != m) {
                return false;
            }
            for (int i = 0; i < m; i++) {
                String mine = segments[i];
                String theirs = later.segments[i];
                boolean covered = mine == null
                        ? theirs == null || !theirs.isEmpty() // a parameter never matches an empty segment
                        : mine.equals(theirs);
                if (!covered) {
                    return false;
                }
            }
            return true;
        }

        /** True if some path matches both this route's pattern and {@code o}'s, whatever their methods. */
        boolean overlaps(Route o) {
            int m = segments.length;
            int n = o.segments.length;
            // a final '*' takes any number of further segments; without one the counts must agree
            if (wildcard ? !o.wildcard && n < m : o.wildcard ? m < n : m != n) {
                return false;
            }
            for (int i = 0; i < Math.min(m, n); i++) {
                String a = segments[i];
                String b = o.segments[i];
                boolean shared = a == null ? b == null || !b.isEmpty() : b == null ? !a.isEmpty() : a.equals(b);
                if (!shared) {
                    return false;
                }
            }
            return true;
        }

        /** The parameters, still percent-encoded, if {@code path} matches, else null. */
        Map<String, String> match(String path) {
            int pos = 1; // after the leading '/'
            int len = path.length();
            if (len == 0 || path.charAt(0) != '/') {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < segments.length; i++) {
                if (pos > len) {
                    return null;
                }
                int end = path.indexOf('/', pos);
                if (end < 0) {
                    end = len;
                }
                if (segments[i] != null) {
                    if (!path.regionMatches(pos, segments[i], 0, segments[i].length())
                            || end - pos != segments[i].length()) {
                        return null;
                    }
                } else {
                    if (end == pos) {
                        return null; // a parameter matches a non-empty segment
                    }
                    if (params == null) {
                        params = new HashMap<>(4);
                    }
                    params.put(names[i], path.substring(pos, end));
                }
                pos = end + 1;
            }
            if (wildcard) {
                if (params == null) {
                    params = new HashMap<>(2);
                }
                params.put("*", pos > len ? "" : path.substring(pos));
                return params;
            }
            if (pos != len + 1) {
                return null; // path has more segments
            }
            return params == null ? Map.of() : params;
        }
    }
}
