package dev.warren.net.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routes of the application's own beside the built-in endpoints: served, guarded, and never clashing. */
class AdminServerRoutesTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TOKEN = "routes-test-token-0123456789";

    private static Router appRoutes() {
        return Router.builder()
                .get("/app/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
                .get(
                        "/app-stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            for (int i = 0; i < 3; i++) {
                                out.write(("part " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            }
                        }))
                .build();
    }

    private static HttpResponse<String> send(AdminServer admin, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject jsonError(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElseThrow());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(status, o.get("status").getAsInt());
        return o;
    }

    @Test
    void theApplicationsRoutesAreServedBesideTheBuiltInOnes() throws Exception {
        try (AdminServer admin =
                AdminServer.builder().pinningMonitor(false).routes(appRoutes()).start()) {
            HttpResponse<String> hello = send(admin, "GET", "/app/warren");
            assertEquals(200, hello.statusCode(), hello.body());
            assertEquals("hello warren\n", hello.body());
            assertEquals(200, send(admin, "HEAD", "/app/warren").statusCode(), "HEAD reaches the GET route");

            HttpResponse<String> streamed = send(admin, "GET", "/app-stream");
            assertEquals(200, streamed.statusCode());
            assertEquals(
                    "chunked",
                    streamed.headers().firstValue("Transfer-Encoding").orElseThrow());
            assertEquals("part 0\npart 1\npart 2\n", streamed.body());

            HttpResponse<String> capa = send(admin, "GET", "/capa.json");
            assertEquals(200, capa.statusCode());
            assertTrue(JsonParser.parseString(capa.body()).getAsJsonObject().has("version"));
            assertTrue(send(admin, "GET", "/").body().contains("<title>Warren admin</title>"));

            // paths no route matches: still the JSON 404, now naming the application's routes too
            for (String path : new String[] {"/nowhere", "/app", "/app/", "/app/a/b"}) {
                String error =
                        jsonError(send(admin, "GET", path), 404).get("error").getAsString();
                assertTrue(error.contains("no such endpoint: " + path), error);
                assertTrue(error.contains("/app/{name}") && error.contains("/capa.json"), error);
            }
            // the admin server only reads, on the application's routes too
            HttpResponse<String> post = send(admin, "POST", "/app/warren");
            assertTrue(jsonError(post, 405).get("error").getAsString().contains("POST"), post.body());
        }
    }

    @Test
    void theTokenGuardsTheApplicationsRoutesToo() throws Exception {
        try (AdminServer admin = AdminServer.builder()
                .pinningMonitor(false)
                .token(TOKEN)
                .routes(appRoutes())
                .start()) {
            for (String path : new String[] {"/app/warren", "/app-stream"}) {
                HttpResponse<String> none = send(admin, "GET", path);
                jsonError(none, 401);
                assertTrue(none.headers()
                        .firstValue("WWW-Authenticate")
                        .orElseThrow()
                        .startsWith("Bearer"));
                jsonError(send(admin, "GET", path, "Authorization", "Bearer " + TOKEN + "x"), 401);
                HttpResponse<String> ok = send(admin, "GET", path, "Authorization", "Bearer " + TOKEN);
                assertEquals(200, ok.statusCode(), path + ": " + ok.body());
            }
            assertEquals(
                    "hello warren\n",
                    send(admin, "GET", "/app/warren", "Authorization", "Bearer " + TOKEN)
                            .body());
        }
    }

    @ParameterizedTest(name = "{0} clashes with {1}")
    @CsvSource({
        "/metrics, /metrics",
        "/{file}, /index.html", // would take /capa.json and the rest
        "/reports/{name}, /reports/*", // the /reports/ space is kept for reports
        "/reports, /reports/*",
        "/*, /",
        "/threads/*, /threads",
    })
    void aRouteSharingAPathWithABuiltInEndpointIsRefusedNamingBoth(String pattern, String builtIn) {
        Router clash = Router.builder()
                .get("/fine", req -> Response.ok(""))
                .get(pattern, req -> Response.ok(""))
                .build();
        AdminServer.Builder b = AdminServer.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.routes(clash));
        assertEquals(
                "admin route GET " + pattern + " clashes with the built-in endpoint " + builtIn
                        + " (they share a path); choose another path",
                e.getMessage());
    }

    @Test
    void routersThatShareAPathOrWriteAreRefusedNamingBoth() {
        AdminServer.Builder b = AdminServer.builder().routes(appRoutes());
        IllegalArgumentException twice = assertThrows(
                IllegalArgumentException.class,
                () -> b.routes(
                        Router.builder().get("/app/me", req -> Response.ok("")).build()));
        assertEquals(
                "admin route GET /app/me clashes with GET /app/{name}, added before (they share a path);"
                        + " choose another path",
                twice.getMessage());
        IllegalArgumentException post = assertThrows(
                IllegalArgumentException.class,
                () -> b.routes(
                        Router.builder().post("/jobs", req -> Response.ok("")).build()));
        assertEquals("admin route POST /jobs is not GET or HEAD: the admin server only reads", post.getMessage());
        // refused routers leave nothing behind: a router of other paths is still accepted
        b.routes(Router.builder().get("/other.json", req -> Response.ok("")).build());
    }
}
