package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
}
