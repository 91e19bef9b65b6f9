package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Static files, JSON responses, mounted routers and gzip: what HTTP users reach for first. */
class HttpExtrasTest {
    @TempDir
    Path tmp;

    private Path www;
    private byte[] big;
    private HttpServer server;

    @BeforeEach
    void files() throws IOException {
        www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<h1>home</h1>");
        Files.writeString(www.resolve("app.js"), "console.log(1)");
        Files.writeString(www.resolve("digits.txt"), "0123456789");
        Files.writeString(www.resolve(".env"), "SECRET=1");
        Files.createDirectories(www.resolve("docs"));
        Files.writeString(www.resolve("docs/index.html"), "<p>docs</p>");
        Files.writeString(tmp.resolve("secret.txt"), "outside the root");
        Files.createSymbolicLink(www.resolve("escape.txt"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(www.resolve("inside.txt"), www.resolve("digits.txt"));
        big = new byte[5 << 20];
        new Random(7).nextBytes(big);
        Files.write(www.resolve("big.bin"), big);
        Router api = Router.builder()
                .get("/users/{id}", req -> Response.json(200, "{\"id\":\"" + req.pathParam("id") + "\"}"))
                .get("/", req -> Response.ok("api root"))
                .filter((req, next) -> next.handle(req).header("X-Api", "yes"))
                .build();
        String text = "warren ".repeat(500);
        Router router = Router.builder()
                .get("/static/*", StaticFiles.of(www))
                .mount("/api", api)
                .get("/text", req -> Response.ok(text))
                .get("/small", req -> Response.ok("tiny"))
                .get("/png", req -> Response.status(200).body(text.getBytes(StandardCharsets.UTF_8), "image/png"))
                .get(
                        "/stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            for (int i = 0; i < 100; i++) {
                                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                            }
                        }))
                .get("/short", req -> Response.status(200).stream("text/plain", 10, out -> out.write(new byte[4])))
                .filter(Compression.gzip())
                .build();
        server = HttpServer.builder().bindAddress("127.0.0.1").handler(router).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp.Resp get(String target, String... headers) throws IOException {
        return exchange("GET", target, headers);
    }

    private RawHttp.Resp exchange(String method, String target, String... headers) throws IOException {
        try (RawHttp c = new RawHttp(server.port())) {
            StringBuilder s = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: x\r\n");
            for (String h : headers) {
                s.append(h).append("\r\n");
            }
            c.send(s.append("Connection: close\r\n\r\n").toString());
            return c.read(method.equals("HEAD"));
        }
    }

    @Test
    void filesAreServedWithTypeLengthAndValidators() throws IOException {
        RawHttp.Resp r = get("/static/app.js");
        assertEquals(200, r.status());
        assertEquals("console.log(1)", r.body());
        assertEquals("text/javascript; charset=utf-8", r.header("Content-Type"));
        assertEquals("14", r.header("Content-Length"));
        assertEquals("bytes", r.header("Accept-Ranges"));
        assertTrue(r.header("ETag").matches("\"[0-9a-f]+-[0-9a-f]+\""), r.header("ETag"));
        assertTrue(
                r.header("Last-Modified")
                        .matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                "IMF-fixdate: " + r.header("Last-Modified"));
        assertEquals("<h1>home</h1>", get("/static/").body(), "a directory serves its index.html");
        assertEquals("<p>docs</p>", get("/static/docs").body());
        assertEquals("0123456789", get("/static/inside.txt").body(), "a link inside the root is served");

        RawHttp.Resp head = exchange("HEAD", "/static/digits.txt");
        assertEquals(200, head.status());
        assertEquals("10", head.header("Content-Length"));
        assertEquals("", head.body());

        RawHttp.Resp same = get("/static/app.js", "If-None-Match: " + r.header("ETag"));
        assertEquals(304, same.status());
        assertNull(same.header("Content-Length"), "a 304 declares no length");
        assertEquals(r.header("ETag"), same.header("ETag"));
        assertEquals(
                304,
                get("/static/app.js", "If-Modified-Since: " + r.header("Last-Modified"))
                        .status());
        assertEquals(200, get("/static/app.js", "If-None-Match: \"other\"").status());
        assertEquals(
                200,
                get("/static/app.js", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT")
                        .status());
    }

    @Test
    void rangesAreServedAndRefusedAsRfc9110Says() throws IOException {
        RawHttp.Resp r = get("/static/digits.txt", "Range: bytes=2-5");
        assertEquals(206, r.status());
        assertEquals("2345", r.body());
        assertEquals("bytes 2-5/10", r.header("Content-Range"));
        assertEquals("789", get("/static/digits.txt", "Range: bytes=-3").body());
        assertEquals("89", get("/static/digits.txt", "Range: bytes=8-").body());
        assertEquals("89", get("/static/digits.txt", "Range: bytes=8-100").body());
        RawHttp.Resp past = get("/static/digits.txt", "Range: bytes=10-12");
        assertEquals(416, past.status());
        assertEquals("bytes */10", past.header("Content-Range"));
        assertEquals(200, get("/static/digits.txt", "Range: bytes=0-1,4-5").status(), "several ranges: all");
        assertEquals(200, get("/static/digits.txt", "Range: lines=1-2").status());
        String etag = get("/static/digits.txt").header("ETag");
        assertEquals(
                206,
                get("/static/digits.txt", "Range: bytes=0-0", "If-Range: " + etag)
                        .status());
        assertEquals(
                200,
                get("/static/digits.txt", "Range: bytes=0-0", "If-Range: \"stale\"")
                        .status());
    }

    @Test
    void itNeverLeavesItsRoot() throws IOException {
        assertEquals(404, get("/static/../secret.txt").status());
        assertEquals(404, get("/static/%2e%2e/secret.txt").status());
        assertEquals(404, get("/static/docs/%2E%2E/%2e%2e/secret.txt").status());
        assertEquals(404, get("/static/escape.txt").status(), "a link out of the root");
        assertEquals(404, get("/static/.env").status(), "hidden files");
        assertEquals(400, get("/static/digits.txt%00.js").status(), "NUL");
        assertEquals(400, get("/static/a%5c..%5csecret.txt").status(), "backslash");
        assertEquals(404, get("/static/nope.txt").status());
        assertThrows(IllegalArgumentException.class, () -> StaticFiles.of(www.resolve("app.js")));
    }

    @Test
    void aLargeFileIsSentWholeWithoutBeingReadIntoMemory() throws IOException {
        RawHttp.Resp r = get("/static/big.bin");
        assertEquals(200, r.status());
        assertEquals(Integer.toString(big.length), r.header("Content-Length"));
        assertEquals("application/octet-stream", r.header("Content-Type"));
        assertArrayEquals(big, r.bytes());
    }

    @Test
    void jsonAndMountedRouters() throws IOException {
        RawHttp.Resp r = get("/api/users/42");
        assertEquals(200, r.status());
        assertEquals("{\"id\":\"42\"}", r.body());
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("yes", r.header("X-Api"), "the mounted router's filter runs");
        assertEquals("api root", get("/api").body());
        assertEquals(404, get("/users/42").status());
        assertEquals(
                "prefix must be literal segments like /api (no trailing '/', no {param} or *), was '/api/'",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> Router.builder()
                                        .mount("/api/", Router.builder().build()))
                        .getMessage());
        Router inner = Router.builder().get("/x", req -> Response.ok("x")).build();
        IllegalArgumentException shadowed = assertThrows(
                IllegalArgumentException.class,
                () -> Router.builder().get("/a/*", req -> Response.ok("a")).mount("/a", inner));
        assertTrue(shadowed.getMessage().contains("GET /a/x can never match"), shadowed.getMessage());
    }

    @Test
    void gzipWhenTheClientAcceptsItAndItPays() throws IOException {
        RawHttp.Resp r = get("/text", "Accept-Encoding: br, gzip;q=0.8");
        assertEquals("gzip", r.header("Content-Encoding"));
        assertEquals("Accept-Encoding", r.header("Vary"));
        assertTrue(r.bytes().length < 200, "compressed: " + r.bytes().length);
        assertEquals("warren ".repeat(500), gunzip(r.bytes()));

        assertNull(get("/text").header("Content-Encoding"), "not asked for");
        assertNull(get("/text", "Accept-Encoding: gzip;q=0").header("Content-Encoding"), "refused");
        assertNull(get("/text", "Accept-Encoding: *;q=1, gzip;q=0").header("Content-Encoding"));
        assertEquals("gzip", get("/text", "Accept-Encoding: *").header("Content-Encoding"));
        assertNull(get("/small", "Accept-Encoding: gzip").header("Content-Encoding"), "too small to gain");
        assertNull(get("/png", "Accept-Encoding: gzip").header("Content-Encoding"), "not a text type");
        assertNull(
                get("/static/digits.txt", "Accept-Encoding: gzip", "Range: bytes=0-1")
                        .header("Content-Encoding"),
                "a range is sent as it is");

        RawHttp.Resp s = get("/stream", "Accept-Encoding: gzip");
        assertEquals("gzip", s.header("Content-Encoding"));
        assertEquals("chunked", s.header("Transfer-Encoding"));
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            expected.append("line ").append(i).append('\n');
        }
        assertEquals(expected.toString(), gunzip(s.bytes()));

        RawHttp.Resp file = get("/static/digits.txt", "Accept-Encoding: gzip");
        assertEquals("0123456789", gunzip(file.bytes()), "a sized stream becomes a chunked gzip stream");
    }

    @Test
    void aWriterThatBreaksItsDeclaredLengthClosesTheConnectionAndCountsAnError() throws IOException {
        long before = server.stats().handlerErrors();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET /short HTTP/1.1\r\nHost: x\r\n\r\n");
            IOException cut = assertThrows(IOException.class, () -> {
                RawHttp.Resp r = c.read();
                if (r.bytes().length < 10) {
                    throw new IOException("body cut short: " + r.bytes().length + " bytes");
                }
            });
            assertTrue(cut.getMessage() != null);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().handlerErrors() == before + 1);
    }

    @Test
    void theClientTakesAUri() throws IOException {
        try (HttpClient client = HttpClient.builder().build()) {
            java.net.URI base = java.net.URI.create("http://127.0.0.1:" + server.port());
            assertEquals(
                    "{\"id\":\"a b\"}",
                    client.get(base.resolve("/api/users/a%20b#frag")).bodyString());
            assertEquals("api root", client.get(base.resolve("/api")).bodyString());
            assertEquals(
                    404,
                    client.request("GET", java.net.URI.create(base + "")).send().status(),
                    "'' is /");
            assertEquals(
                    "uri must be an absolute http:// or https:// URI, was 'ftp://x/'",
                    assertThrows(IllegalArgumentException.class, () -> client.get(java.net.URI.create("ftp://x/")))
                            .getMessage());
            assertEquals(
                    "uri must not hold user information (send an Authorization header), was 'http://...@h'",
                    assertThrows(IllegalArgumentException.class, () -> client.get(java.net.URI.create("http://u:p@h/")))
                            .getMessage());
            assertThrows(IllegalArgumentException.class, () -> client.get(java.net.URI.create("/relative")));
        }
    }

    private static String gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
