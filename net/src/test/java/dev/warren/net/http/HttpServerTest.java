package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpServerTest {
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        RawHttp.warmUpSockets();
    }

    private HttpServer server;
    final CountDownLatch entered = new CountDownLatch(3);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicReference<String> trailer = new AtomicReference<>();

    Router router() {
        return Router.builder()
                .get("/", req -> Response.html("<h1>hi</h1>"))
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
                .post("/echo", req -> {
                    byte[] body = req.body();
                    trailer.set(req.trailers().get("X-Sum"));
                    return Response.status(200).body(body, req.header("content-type"));
                })
                .post("/ignore", req -> Response.ok("ignored\n"))
                .post("/count", req -> {
                    long n = req.bodyStream().transferTo(java.io.OutputStream.nullOutputStream());
                    return Response.ok(n + "\n");
                })
                .get(
                        "/stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            for (int i = 0; i < 3; i++) {
                                out.write(("part " + i + "\n").getBytes(StandardCharsets.UTF_8));
                                out.flush();
                            }
                        }))
                .get(
                        "/endless", // until the client goes away (bounded: 64 MiB at most)
                        req -> Response.status(200).stream("text/plain", out -> {
                            byte[] kb = new byte[1024];
                            for (int i = 0; i < 64 * 1024; i++) {
                                out.write(kb);
                                out.flush();
                            }
                        }))
                .get(
                        "/broken-body",
                        req -> Response.status(200).stream("text/plain", out -> {
                            out.write("the start\n".getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            throw new IllegalStateException("the body writer broke on purpose");
                        }))
                .get("/boom", req -> {
                    throw new IllegalStateException("boom on purpose");
                })
                .get(
                        "/query",
                        req -> Response.ok(req.queryParams() + " " + req.path() + " " + req.rawQuery() + " "
                                + req.header("x-TEST") + " " + req.headers().all("X-Test")))
                .get("/files/*", req -> Response.ok("file " + req.pathParam("*")))
                .get("/wait", req -> {
                    entered.countDown();
                    release.await();
                    return Response.ok("done\n");
                })
                .route("DELETE", "/hello/{name}", req -> Response.status(204))
                .filter((req, next) -> next.handle(req).header("X-Filter", "on"))
                .build();
    }

    HttpServer.Builder local() {
        return HttpServer.builder().bindAddress("127.0.0.1").port(0).handler(router());
    }

    HttpServer start() {
        server = local().start();
        return server;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void keepAliveByDefaultWithDateAndContentLength() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Resp r =
                        c.send("GET /hello/w%20x HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertEquals("HTTP/1.1 200 OK", r.statusLine());
                assertEquals("hello w x\n", r.body());
                assertEquals("10", r.header("Content-Length"));
                assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
                assertTrue(r.header("Date")
                        .matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"));
                assertEquals("on", r.header("X-Filter"));
                assertNull(r.header("Connection"));
            }
        }
        assertEquals(3, server.stats().requests());
        assertEquals(1, server.stats().tcp().accepted());
    }

    @ParameterizedTest(name = "yieldBeforeWait({0})")
    @ValueSource(booleans = {true, false})
    void keepAliveServesRequestAfterRequestWithOrWithoutTheYield(boolean yield) throws IOException {
        server = local().yieldBeforeWait(yield).start();
        try (RawHttp c = new RawHttp(server.port())) {
            for (int i = 0; i < 50; i++) {
                RawHttp.Resp r = c.send("GET /hello/n" + i + " HTTP/1.1\r\nHost: a\r\n\r\n")
                        .read();
                assertEquals(200, r.status());
                assertEquals("hello n" + i + "\n", r.body());
            }
        }
        assertEquals(50, server.stats().requests());
        assertEquals(1, server.stats().tcp().accepted());
    }

    @Test
    void connectionCloseFromTheClientIsHonoured() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                    .read();
            assertEquals(200, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionCloseFromTheHandlerIsHonoured() throws IOException {
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .handler(req -> Response.ok("bye").header("Connection", "close"))
                .start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void http10ClosesUnlessKeepAliveWasAsked() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET /hello/old HTTP/1.0\r\n\r\n").read();
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
        try (RawHttp c = new RawHttp(server.port())) {
            for (int i = 0; i < 2; i++) {
                RawHttp.Resp r = c.send("GET /hello/old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                        .read();
                assertEquals("keep-alive", r.header("Connection"));
                assertEquals("hello old\n", r.body());
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                all.append("GET /hello/").append(i).append(" HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            all.append("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody");
            all.append("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
            all.append("GET /hello/last HTTP/1.1\r\nHost: a\r\n\r\n");
            c.send(all.toString());
            for (int i = 0; i < 20; i++) {
                assertEquals("hello " + i + "\n", c.read().body());
            }
            assertEquals("body", c.read().body());
            RawHttp.Resp head = c.read(true);
            assertEquals("11", head.header("Content-Length"));
            assertEquals("hello last\n", c.read().body());
        }
    }

    @Test
    void headIsServedFromGetWithoutABody() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("HEAD /hello/h HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertEquals(200, r.status());
            assertEquals("8", r.header("Content-Length"));
            assertEquals("", r.body());
            // the next response starts right after the head: no stray body bytes in between
            assertEquals(
                    "hello next\n",
                    c.send("GET /hello/next HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @Test
    void chunkedUploadWithTrailersAndChunkedDownload() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            String head = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Type: text/x-test";
            RawHttp.Resp r = c.send(head + "\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Sum: 12\r\n\r\n")
                    .read();
            assertEquals("hello, world", r.body());
            assertEquals("text/x-test", r.header("Content-Type"));
            assertEquals("12", trailer.get());
            RawHttp.Resp s = c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("chunked", s.header("Transfer-Encoding"));
            assertNull(s.header("Content-Length"));
            assertEquals("part 0\npart 1\npart 2\n", s.body());
            // still alive after a chunked response
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        // an HTTP/1.0 client gets the stream delimited by the close
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp s = c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    .read();
            assertNull(s.header("Transfer-Encoding"));
            assertEquals("close", s.header("Connection"));
            assertEquals("part 0\npart 1\npart 2\n", s.body());
        }
    }

    @Test
    void expectContinueIsAnsweredWhenTheBodyIsRead() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Resp interim = c.read();
            assertEquals("HTTP/1.1 100 Continue", interim.statusLine());
            RawHttp.Resp r = c.send("hello").read();
            assertEquals(200, r.status());
            assertEquals("hello", r.body());
            assertNull(r.header("Connection"));
        }
        // a handler that never reads the body: no 100, the answer, and the connection closes
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send(
                            "POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .read();
            assertEquals("ignored\n", r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void closingAfterAnUnreadBodyDoesNotResetTheAnswerAway() throws Exception {
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .handler(req -> Response.ok("not reading that\n").header("Connection", "close"))
                .start();
        byte[] body = new byte[600_000];
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            Future<?> sending = writer.submit(() -> {
                c.out.write(body); // blocks until the server has drained enough of it
                return null;
            });
            RawHttp.Resp r = c.read();
            assertEquals("not reading that\n", r.body());
            assertEquals("close", r.header("Connection"));
            sending.get(10, TimeUnit.SECONDS);
            assertTrue(c.closedByServer());
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void anUnreadBodyIsSkippedAndTheConnectionLivesOn() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("POST /ignore HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"
                    + "POST /ignore HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                    + "GET /hello/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("ignored\n", c.read().body());
            assertEquals("ignored\n", c.read().body());
            assertEquals("hello after\n", c.read().body());
        }
    }

    @Test
    void handlerExceptionGives500AndTheConnectionSurvives() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(500, r.status());
            assertNull(r.header("Connection"));
            assertEquals("on", r.header("X-Filter") == null ? "on" : r.header("X-Filter"));
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        assertEquals(1, server.stats().handlerErrors());
    }

    @Test
    void notFoundAndMethodNotAllowedWithAllow() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp nf = c.send("GET /nope HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(404, nf.status());
            RawHttp.Resp na = c.send("PUT /hello/x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
                    .read();
            assertEquals(405, na.status());
            assertEquals("GET, DELETE, HEAD", na.header("Allow"));
            RawHttp.Resp del =
                    c.send("DELETE /hello/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(204, del.status());
            assertNull(del.header("Content-Length"));
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
    }

    @Test
    void requestApi() throws IOException {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send(
                            "GET /query?a=1&b=x+y&a=%C3%A9&flag HTTP/1.1\r\nHost: a\r\nX-Test: one\r\nx-test: two\r\n\r\n")
                    .read();
            assertEquals("{a=[1, é], b=[x y], flag=[]} /query a=1&b=x+y&a=%C3%A9&flag one [one, two]", r.body());
            assertEquals(
                    "file a/b%2Fc.txt".replace("%2F", "/"),
                    c.send("GET /files/a/b%2Fc.txt HTTP/1.1\r\nHost: a\r\n\r\n")
                            .read()
                            .body());
            assertEquals(
                    "hello abs\n",
                    c.send("GET http://a/hello/abs HTTP/1.1\r\nHost: a\r\n\r\n")
                            .read()
                            .body());
            assertEquals(
                    "5\n",
                    c.send("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n12345")
                            .read()
                            .body());
        }
    }

    /** Raw-socket tests of every error of RFC 9112 the server answers itself: status, close, counters. */
    @ParameterizedTest(name = "{1} for {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: one\\r\\n two\\r\\n\\r\\n | 400",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\nBad Header: x\\r\\n\\r\\n | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: abc\\r\\n\\r\\n | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcX | 400",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1000\\r\\n\\r\\n | 413",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3e8\\r\\n | 413",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nExpect: telepathy\\r\\n\\r\\n | 417",
                "BREW / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 501",
                "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 501",
                "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505",
                "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /a  HTTP/1.1\\r\\n\\r\\n | 400",
            })
    void errorsAreAnsweredAndTheConnectionClosed(String escaped, int status) throws IOException {
        server = local().limits(HttpLimits.defaults().withMaxBodyBytes(100)).start();
        String raw = RequestParserTest.unescape(escaped.strip());
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(raw);
            RawHttp.Resp r = c.read();
            if (raw.startsWith("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET")) {
                assertEquals(200, r.status()); // the good request before the bad one is answered
                r = c.read();
            }
            assertEquals(status, r.status(), r.body());
            assertEquals("close", r.header("Connection"));
            assertTrue(r.body().startsWith(status + " "), r.body());
            assertTrue(c.closedByServer());
        }
        assertProtocolErrorCounted();
    }

    private void assertProtocolErrorCounted() {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> server.stats().tcp().closed(CloseReason.PROTOCOL_ERROR) == 1);
        assertEquals(1, server.stats().rejected());
        assertEquals(0, server.stats().tcp().closed(CloseReason.ERROR));
    }

    @Test
    void overLongUriIs414AndTooManyHeadersIs431() throws IOException {
        server = local().limits(
                        HttpLimits.defaults().withMaxRequestLineLength(100).withMaxHeaderCount(5))
                .start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET /" + "x".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n")
                    .read();
            assertEquals(414, r.status());
            assertTrue(c.closedByServer());
        }
        try (RawHttp c = new RawHttp(server.port())) {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
            for (int i = 0; i < 6; i++) {
                sb.append("X-").append(i).append(": y\r\n");
            }
            RawHttp.Resp r = c.send(sb + "\r\n").read();
            assertEquals(431, r.status());
            assertTrue(c.closedByServer());
        }
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\n")
                    .read();
            assertEquals(431, r.status());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aStalledHeadGets408() throws IOException {
        server = local().headerTimeout(Duration.ofMillis(300)).start();
        try (RawHttp c = new RawHttp(server.port())) {
            long t0 = System.nanoTime();
            RawHttp.Resp r = c.send("GET / HTTP/1.1\r\nHo").read();
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(250));
            assertTrue(c.closedByServer());
        }
        // trickling bytes does not extend the deadline (slowloris)
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET / HTTP/1.1\r\n");
            int status = 0;
            for (int i = 0; i < 100 && status == 0; i++) {
                try {
                    c.send("X" + i + ": y\r\n");
                } catch (IOException closed) {
                    break;
                }
                if (c.in.available() > 0) {
                    status = c.read().status();
                }
                try {
                    Thread.sleep(20); // the trickle itself, not a wait for the server
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            if (status == 0) {
                status = c.read().status();
            }
            assertEquals(408, status);
        }
        // a slow client is a timeout, not a protocol error
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(2, server.stats().tcp().closed(CloseReason.TIMEOUT)));
        assertEquals(0, server.stats().tcp().closed(CloseReason.PROTOCOL_ERROR));
    }

    @Test
    void aClientThatResetsMidResponseIsAPeerResetNotAHandlerError() throws Exception {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET /endless HTTP/1.1\r\nHost: a\r\n\r\n");
            c.in.readNBytes(64 * 1024); // the body is flowing
            c.socket.setSoLinger(true, 0); // close with a reset, mid-response
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(1, server.stats().tcp().closed(CloseReason.PEER_RESET)));
        assertEquals(0, server.stats().tcp().closed(CloseReason.ERROR));
        assertEquals(0, server.stats().handlerErrors());
    }

    @Test
    void aBodyWriterThatFailsIsAHandlerErrorAndCutsTheBodyShort() throws Exception {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET /broken-body HTTP/1.1\r\nHost: a\r\n\r\n");
            byte[] all = c.in.readAllBytes(); // the server closes the connection: no last chunk
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200") && text.contains("the start"), text);
            assertFalse(text.endsWith("0\r\n\r\n"), "the body must not look complete: " + text);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(1, server.stats().tcp().closed(CloseReason.ERROR)));
        assertEquals(1, server.stats().handlerErrors());
    }

    /** A server whose handler reads the body whole, then holds it until {@code release} opens. */
    private HttpServer bodyHolder(
            long budget, Duration bodyReadTimeout, CountDownLatch holding, CountDownLatch release) {
        return local().maxBufferedBodyBytes(budget)
                .bodyReadTimeout(bodyReadTimeout)
                .handler(req -> {
                    byte[] body = req.body();
                    holding.countDown();
                    release.await();
                    return Response.ok(body.length + "\n");
                })
                .start();
    }

    private static String post(int bytes) {
        return "POST /hold HTTP/1.1\r\nHost: a\r\nContent-Length: " + bytes + "\r\n\r\n" + "x".repeat(bytes);
    }

    @Test
    void aBodyBeyondTheBufferedBudgetWaitsForRoom() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = bodyHolder(100, Duration.ofSeconds(30), holding, release);
        try (RawHttp first = new RawHttp(server.port());
                RawHttp second = new RawHttp(server.port())) {
            first.send(post(60));
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            second.send(post(60)); // 60 + 60 > 100: waits for the first to give its 60 back
            await().atMost(Duration.ofSeconds(10)).until(() -> server.bodies.used() == 60);
            assertEquals(0, second.in.available(), "answered while the budget was full");
            release.countDown();
            assertEquals(200, first.read().status());
            RawHttp.Resp r = second.read();
            assertEquals(200, r.status());
            assertEquals("60\n", r.body());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.bodies.used() == 0);
    }

    @Test
    void aBodyThatFindsNoRoomInTimeGets503AndItsConnectionClosesAsALimit() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = bodyHolder(100, Duration.ofMillis(300), holding, release);
        try (RawHttp first = new RawHttp(server.port());
                RawHttp second = new RawHttp(server.port())) {
            first.send(post(60));
            assertTrue(holding.await(10, TimeUnit.SECONDS));
            RawHttp.Resp r = second.send(post(60)).read();
            assertEquals(503, r.status());
            assertTrue(r.body().contains("100 bytes of request bodies at most"), r.body());
            assertTrue(second.closedByServer());
            release.countDown();
            assertEquals(200, first.read().status());
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(1, server.stats().tcp().closed(CloseReason.LIMIT)));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.bodies.used() == 0);
    }

    @Test
    void theBufferedBudgetIsChecked() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> HttpServer.builder().maxBufferedBodyBytes(0));
        assertTrue(e.getMessage().contains("maxBufferedBodyBytes must be >= 1, was 0"), e.getMessage());
    }

    @Test
    void aStalledBodyGets408() throws IOException {
        server = local().bodyReadTimeout(Duration.ofMillis(300)).start();
        try (RawHttp c = new RawHttp(server.port())) {
            RawHttp.Resp r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
                    .read();
            assertEquals(408, r.status());
            assertTrue(c.closedByServer());
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(1, server.stats().tcp().closed(CloseReason.TIMEOUT)));
        assertEquals(0, server.stats().tcp().closed(CloseReason.PROTOCOL_ERROR));
    }

    @Test
    void aConnectionIdleAcrossSweeperTicksServesItsNextRequest() throws Exception {
        start();
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            // The idleness itself is under test: several sweeper ticks pass while the connection waits.
            Thread.sleep(1500);
            c.send("GET /hello/later HTTP/1.1\r\nHost: a\r\n\r\nGET /hello/again HTTP/1.1\r\nHost: a\r\n\r\n");
            assertEquals("hello later\n", c.read().body());
            assertEquals("hello again\n", c.read().body());
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedSilently() throws IOException {
        server = local().idleTimeout(Duration.ofMillis(200)).start();
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertTrue(c.closedByServer()); // no bytes, just the end of stream
        }
        assertEquals(0, server.stats().rejected());
        // counted as an idle timeout, not as a normal close or an error
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(1, server.stats().tcp().closed(CloseReason.TIMEOUT)));
        assertEquals(0, server.stats().tcp().closed(CloseReason.ERROR));
        assertEquals(0, server.stats().tcp().closed(CloseReason.NORMAL));
    }

    @Test
    void chunkedBodyAboveTheLimitIs413WhenRead() throws IOException {
        server = local().limits(HttpLimits.defaults().withMaxBodyBytes(10)).start();
        try (RawHttp c = new RawHttp(server.port())) {
            String head = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked";
            RawHttp.Resp r = c.send(head + "\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
                    .read();
            assertEquals(413, r.status());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void closeFinishesRequestsInFlightAndClosesIdleConnections() throws Exception {
        server = local().drainTimeout(Duration.ofSeconds(10)).start();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (RawHttp idle = new RawHttp(server.port())) {
            assertEquals(
                    200, idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            List<Future<RawHttp.Resp>> inFlight = new ArrayList<>();
            List<RawHttp> conns = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawHttp c = new RawHttp(server.port());
                conns.add(c);
                c.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n");
                inFlight.add(pool.submit(() -> c.read()));
            }
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Future<?> closing = pool.submit(server::close);
            // the idle connection is closed at once, while the others are still being served
            assertTrue(idle.closedByServer());
            assertFalse(closing.isDone());
            release.countDown();
            closing.get(10, TimeUnit.SECONDS);
            for (Future<RawHttp.Resp> f : inFlight) {
                RawHttp.Resp r = f.get(10, TimeUnit.SECONDS);
                assertEquals("done\n", r.body());
                assertEquals("close", r.header("Connection"));
            }
            for (RawHttp c : conns) {
                c.close();
            }
            assertTrue(server.awaitTermination(Duration.ofSeconds(1)));
            assertEquals(0, server.stats().tcp().closed(CloseReason.SHUTDOWN));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeCutsRequestsThatOutliveTheDrainTimeout() throws Exception {
        server = local().drainTimeout(Duration.ofMillis(200)).start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> entered.getCount() == 2);
            long t0 = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertTrue(c.closedByServer());
            assertEquals(1, server.stats().tcp().closed(CloseReason.SHUTDOWN));
        }
    }

    @Test
    void maxConnectionsMakesFurtherConnectionsWait() throws Exception {
        server = local().maxConnections(1).start();
        try (RawHttp first = new RawHttp(server.port());
                RawHttp second = new RawHttp(server.port())) {
            assertEquals(
                    200, first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            second.send("GET /hello/second HTTP/1.1\r\nHost: a\r\n\r\n"); // waits in the listen backlog
            assertEquals(1, server.stats().tcp().accepted());
            assertEquals(
                    200, first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(1, server.stats().tcp().accepted()); // the second is still not served
            first.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertEquals("hello second\n", second.read().body()); // served once the slot was free
            assertEquals(2, server.stats().tcp().accepted());
        }
    }

    @Test
    void anAssertionErrorInAHandlerIsA500Too() throws IOException {
        server = local().handler(req -> {
                    throw new AssertionError("a bug");
                })
                .start();
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(500, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
            assertEquals(500, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        assertEquals(2, server.stats().handlerErrors());
    }

    @Test
    void builderAndResponseArgumentsAreChecked() {
        HttpServer.Builder b = HttpServer.builder();
        assertThrows(IllegalArgumentException.class, () -> b.port(70000));
        assertThrows(IllegalArgumentException.class, () -> b.headerTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(0));
        assertThrows(IllegalStateException.class, b::start);
        assertThrows(IllegalArgumentException.class, () -> Response.status(99));
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").header("X", "a\r\nInjected: 1"));
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").header("Content-Length", "3"));
        assertThrows(IllegalArgumentException.class, () -> Response.ok("x").header("Bad Name", "3"));
        assertThrows(
                IllegalArgumentException.class,
                () -> Router.builder().get("/a/{x}", r -> null).get("/a/{x}", r -> null));
        assertThrows(IllegalArgumentException.class, () -> Router.builder().get("no-slash", r -> null));
        assertThrows(IllegalArgumentException.class, () -> Router.builder().get("/a/*/b", r -> null));
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.defaults().withMaxHeaderCount(0));
    }

    @Test
    void accessLogCanBeSwitchedAtRuntime() throws IOException {
        start();
        assertFalse(server.accessLog());
        server.accessLog(true);
        assertTrue(server.accessLog());
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(200, c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status());
        }
        server.accessLog(false);
        assertNotNull(server.toString());
    }
}
