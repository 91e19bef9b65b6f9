package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.Connection;
import dev.warren.net.TcpServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpClientTest {
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        RawHttp.warmUpSockets();
    }

    private HttpServer server;
    private TcpServer raw;
    private final HttpClient client =
            HttpClient.builder().readTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void stop() {
        client.close();
        if (server != null) {
            server.close();
        }
        if (raw != null) {
            raw.close();
        }
    }

    private HttpServer start(Duration idle) {
        Router r = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name")))
                .post("/echo", req -> Response.status(200).body(req.body(), req.header("Content-Type")))
                .get(
                        "/stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            for (int i = 0; i < 100; i++) {
                                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                                if (i % 10 == 0) {
                                    out.flush();
                                }
                            }
                        }))
                .build();
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .handler(r)
                .idleTimeout(idle)
                .start();
        return server;
    }

    /** A raw TCP server that answers every connection with {@code response} after reading one request head. */
    private int rawServer(String response) {
        raw = TcpServer.builder()
                .bindAddress("127.0.0.1")
                .drainTimeout(Duration.ofMillis(100))
                .handler((Connection c) -> {
                    for (String l = c.readLine(8192); l != null && !l.isEmpty(); l = c.readLine(8192)) {
                        // the request head
                    }
                    c.write(response.getBytes(StandardCharsets.ISO_8859_1)).flush();
                })
                .start();
        return raw.port();
    }

    @Test
    void keepAliveReusesOneConnection() throws IOException {
        start(Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            ClientResponse r = client.get("127.0.0.1", server.port(), "/hello/" + i);
            assertEquals(200, r.status());
            assertEquals("HTTP/1.1 200 OK", r.statusLine());
            assertEquals("hello " + i, r.bodyString());
            assertEquals("text/plain; charset=utf-8", r.header("content-type"));
        }
        assertEquals(1, server.stats().tcp().accepted());
        assertEquals(1, client.idleConnections());
    }

    @Test
    void contentLengthAndChunkedBodiesBothWays() throws IOException {
        start(Duration.ofSeconds(30));
        ClientResponse a = client.request("POST", "127.0.0.1", server.port(), "/echo")
                .header("Content-Type", "text/x-a")
                .body("plain body")
                .send();
        assertEquals("plain body", a.bodyString());
        assertEquals("text/x-a", a.header("Content-Type"));
        ClientResponse b = client.request("POST", "127.0.0.1", server.port(), "/echo")
                .body("chunked body")
                .chunked(true)
                .send();
        assertEquals("chunked body", b.bodyString());
        ClientResponse s = client.get("127.0.0.1", server.port(), "/stream");
        assertEquals("chunked", s.header("Transfer-Encoding"));
        assertTrue(
                s.bodyString().startsWith("line 0\nline 1\n") && s.bodyString().endsWith("line 99\n"));
        ClientResponse h =
                client.request("HEAD", "127.0.0.1", server.port(), "/hello/x").send();
        assertEquals(0, h.body().length);
        assertEquals("7", h.header("Content-Length"));
        assertEquals(1, server.stats().tcp().accepted());
    }

    @Test
    void aPooledConnectionClosedByTheServerIsReplacedTransparently() throws IOException {
        start(Duration.ofMillis(100));
        assertEquals(
                "hello a", client.get("127.0.0.1", server.port(), "/hello/a").bodyString());
        // the server's idle timeout closes the pooled connection
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().tcp().closed(CloseReason.TIMEOUT) == 1);
        assertEquals(1, client.idleConnections()); // the client does not know yet
        assertEquals(
                "hello b", client.get("127.0.0.1", server.port(), "/hello/b").bodyString());
        assertEquals(2, server.stats().tcp().accepted());
    }

    @Test
    void malformedResponsesGiveClearErrors() {
        int port = rawServer("HTTP/1.1 2x0 OK\r\n\r\n");
        HttpClientException e = assertThrows(HttpClientException.class, () -> client.get("127.0.0.1", port, "/"));
        assertTrue(
                e.getMessage().contains("malformed status code")
                        && e.getMessage().contains("127.0.0.1:" + port),
                e.getMessage());
        raw.close();
        int port2 = rawServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        e = assertThrows(HttpClientException.class, () -> client.get("127.0.0.1", port2, "/x"));
        assertTrue(e.getMessage().contains("body ended after 3 of 10 bytes"), e.getMessage());
        raw.close();
        int port3 = rawServer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
        e = assertThrows(HttpClientException.class, () -> client.get("127.0.0.1", port3, "/x"));
        assertTrue(e.getMessage().contains("conflicting Content-Length"), e.getMessage());
        raw.close();
        int port4 = rawServer("SMTP ready\r\n\r\n");
        e = assertThrows(HttpClientException.class, () -> client.get("127.0.0.1", port4, "/x"));
        assertTrue(e.getMessage().contains("malformed status line 'SMTP ready'"), e.getMessage());
        raw.close();
        int port5 = rawServer("");
        e = assertThrows(HttpClientException.class, () -> client.get("127.0.0.1", port5, "/x"));
        assertTrue(e.getMessage().contains("closed by the server before a response"), e.getMessage());
    }

    @Test
    void interimResponsesAreSkippedAndUndelimitedBodiesReadToTheEnd() throws IOException {
        int port = rawServer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nX-A: b\r\n\r\nuntil the end");
        ClientResponse r = client.get("127.0.0.1", port, "/");
        assertEquals("HTTP/1.0 200 OK", r.statusLine());
        assertEquals("until the end", r.bodyString());
        assertEquals(0, client.idleConnections());
    }

    @Test
    void readTimeout() {
        raw = TcpServer.builder()
                .bindAddress("127.0.0.1")
                .drainTimeout(Duration.ofMillis(100))
                .handler(c -> {
                    while (c.readLine(8192) != null) {
                        // never answers
                    }
                })
                .start();
        try (HttpClient quick =
                HttpClient.builder().readTimeout(Duration.ofMillis(200)).build()) {
            assertThrows(SocketTimeoutException.class, () -> quick.get("127.0.0.1", raw.port(), "/"));
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> client.request("GET", "h", 80, "no-slash"));
        assertThrows(IllegalArgumentException.class, () -> client.request("GET", "h", 80, "/a b"));
        assertThrows(IllegalArgumentException.class, () -> client.request("G T", "h", 80, "/"));
        assertThrows(IllegalArgumentException.class, () -> client.request("GET", "h", 0, "/"));
        assertThrows(
                IllegalArgumentException.class,
                () -> client.request("GET", "h", 80, "/").header("Content-Length", "1"));
        assertThrows(IllegalArgumentException.class, () -> HttpClient.builder().readTimeout(Duration.ZERO));
    }
}
