package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routes that could never match are refused when built; path parameters that do not decode get 400. */
class RouterRulesTest {
    @BeforeAll
    static void warmUp() {
        RawHttp.warmUpSockets();
    }

    static final HttpHandler OK = req -> Response.ok("ok\n");

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource({
        "/a/{x}, /a/{y}",
        "/b/{id}, /b/me",
        "/static/*, /static/css/{file}",
        "/static/*, /static/{dir}/more/*",
        "/a/*, /a",
        "/*, /anything/{at}/all",
        "/{p}/x, /lit/x",
    })
    void aRouteAnEarlierOneShadowsIsRefusedNamingBoth(String first, String second) {
        Router.Builder b = Router.builder().get(first, OK);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.get(second, OK));
        String m = e.getMessage();
        assertTrue(m.contains("GET " + second + " can never match") && m.contains("GET " + first), m);
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource({
        "/b/me, /b/{id}", // the literal first: both can match
        "/static/css/{file}, /static/*",
        "/a/{x}, /a/{x}/more", // more segments
        "/a/{x}/more, /a/{x}",
        "/x/{p}, /x/", // a parameter never matches an empty segment
        "/a, /a/*",
        "/a/{x}, /b/{x}",
    })
    void routesThatCanStillMatchAreAccepted(String first, String second) {
        Router.builder().get(first, OK).get(second, OK).build();
    }

    @Test
    void shadowingIsPerMethod() {
        Router.builder()
                .get("/b/{id}", OK)
                .post("/b/me", OK)
                .route("HEAD", "/b/me", OK)
                .build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Router.builder().post("/b/{id}", OK).get("/b/me", OK).post("/b/me", OK));
        assertTrue(e.getMessage().contains("POST /b/me can never match"), e.getMessage());
    }

    @Test
    void theMoreSpecificRouteFirstServesBoth() throws IOException {
        Router router = Router.builder()
                .get("/b/me", req -> Response.ok("me\n"))
                .get("/b/{id}", req -> Response.ok("id " + req.pathParam("id") + "\n"))
                .build();
        try (HttpServer server = HttpServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .handler(router)
                        .start();
                RawHttp c = new RawHttp(server.port())) {
            assertEquals(
                    "me\n",
                    c.send("GET /b/me HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            assertEquals(
                    "id 7\n",
                    c.send("GET /b/7 HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/u/a%zzb, invalid percent-escape '%zz'",
        "/u/a%4, invalid percent-escape '%4'",
        "/u/%, invalid percent-escape '%'",
        "/u/%ff, not UTF-8", // a lone byte that starts no UTF-8 sequence
        "/u/%c3, not UTF-8", // a sequence cut short
        "/u/%ed%a0%80, not UTF-8", // a UTF-16 surrogate, which UTF-8 may not encode
        "/f/ok/%zz, invalid percent-escape", // the wildcard's rest too
    })
    void aPathParameterThatDoesNotDecodeIs400AndTheHandlerIsNotCalled(String path, String why) throws IOException {
        AtomicInteger called = new AtomicInteger();
        Router router = Router.builder()
                .get("/u/{name}", req -> {
                    called.incrementAndGet();
                    return Response.ok(req.pathParam("name"));
                })
                .get("/f/*", req -> {
                    called.incrementAndGet();
                    return Response.ok(req.pathParam("*"));
                })
                .build();
        try (HttpServer server = HttpServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .handler(router)
                        .start();
                RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r =
                    c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(400, r.status(), r.toString());
            assertTrue(r.body().contains("path parameter") && r.body().contains(why), r.body());
            assertEquals(0, called.get());
            // the connection is fine: a good request on it is served
            RawHttp.Resp ok =
                    c.send("GET /u/caf%C3%A9+%2B HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, ok.status());
            assertEquals("café++", ok.body(), "'+' is a plus in a path, %2B too");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /u/%zz/more, 404", // no route has this shape: that it does not decode is beside the point
        "POST, /u/%zz, 405", // a route matches, but not for POST
        "GET, /nothing/%zz, 404",
    })
    void parametersAreDecodedOnlyForTheRouteChosen(String method, String path, int status) throws IOException {
        Router router = Router.builder().get("/u/{name}", OK).build();
        try (HttpServer server = HttpServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .handler(router)
                        .start();
                RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send(method + " " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
                    .read();
            assertEquals(status, r.status(), r.toString());
        }
    }

    @Test
    void routesAndRouteForTellWhatARequestWouldReach() {
        Router router = Router.builder()
                .get("/b/me", OK)
                .get("/b/{id}", OK)
                .post("/b/{id}", OK)
                .get("/static/*", OK)
                .build();
        assertEquals(
                List.of("GET /b/me", "GET /b/{id}", "POST /b/{id}", "GET /static/*"),
                router.routes().stream().map(Router.RouteSpec::toString).toList());
        assertEquals("GET /b/me", router.routeFor("GET", "/b/me").orElseThrow().toString());
        assertEquals("GET /b/{id}", router.routeFor("GET", "/b/7").orElseThrow().toString());
        assertEquals(
                "POST /b/{id}", router.routeFor("POST", "/b/me").orElseThrow().toString());
        assertEquals(
                "GET /b/{id}", router.routeFor("HEAD", "/b/7").orElseThrow().toString(), "HEAD uses GET");
        assertEquals(
                "GET /static/*", router.routeFor("GET", "/static").orElseThrow().toString());
        assertTrue(router.routeFor("PUT", "/b/7").isEmpty(), "the router would answer 405");
        assertTrue(router.routeFor("GET", "/b/").isEmpty(), "a parameter needs a non-empty segment");
        assertTrue(router.routeFor("GET", "/elsewhere").isEmpty());
    }

    @ParameterizedTest(name = "{0} and {1}: {2}")
    @CsvSource({
        "/a/{x}, /a/b, true",
        "/static/*, /static, true",
        "/*, /, true",
        "/reports/*, /reports/{name}, true",
        "/{x}, /capa.json, true",
        "/a/*, /b/*, false",
        "/a/{x}, /a, false",
        "/{x}, /, false", // a parameter never matches the empty segment of "/"
        "/a.json, /a/{x}, false",
        "/streams/{name}, /streams.json, false",
        "/a/{x}/c, /a/b/{y}, true",
        "/a/{x}/c, /a/b/d, false",
    })
    void overlapTellsWhetherTwoPatternsShareAPath(String a, String b, boolean expected) {
        assertEquals(expected, Router.overlap(a, b));
        assertEquals(expected, Router.overlap(b, a), "symmetric");
    }

    /**
     * {@link Router#overlap} against brute force: every pair of patterns over a small alphabet overlaps
     * exactly when some path over that alphabet (up to one segment longer than the longer pattern)
     * reaches both.
     */
    @Test
    void overlapAgreesWithTryingEveryPath() {
        List<String> segs = List.of("", "a", "b");
        List<String> patterns = new ArrayList<>();
        List<String> pieces = List.of("", "a", "b", "{p}");
        for (String x : pieces) {
            patterns.add("/" + x);
            patterns.add("/" + x + "/*");
            for (String y : pieces) {
                patterns.add("/" + x + "/" + y.replace("{p}", "{q}"));
                patterns.add("/" + x + "/" + y.replace("{p}", "{q}") + "/*");
            }
        }
        patterns.add("/*");
        List<String> paths = new ArrayList<>();
        List<String> level = List.of("");
        for (int depth = 1; depth <= 4; depth++) {
            List<String> next = new ArrayList<>();
            for (String prefix : level) {
                for (String seg : segs) {
                    next.add(prefix + "/" + seg);
                }
            }
            paths.addAll(next);
            level = next;
        }
        Map<String, Router> routers = new HashMap<>();
        for (String p : patterns) {
            routers.put(p, Router.builder().get(p, OK).build());
        }
        for (String a : patterns) {
            for (String b : patterns) {
                boolean shared = false;
                for (String path : paths) {
                    if (routers.get(a).routeFor("GET", path).isPresent()
                            && routers.get(b).routeFor("GET", path).isPresent()) {
                        shared = true;
                        break;
                    }
                }
                assertEquals(shared, Router.overlap(a, b), a + " and " + b);
            }
        }
    }
}
