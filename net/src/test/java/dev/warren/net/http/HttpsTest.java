package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.net.TestCerts;
import dev.warren.net.TlsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket.Listener;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS and WSS: our server with our client ({@code https://} and {@code wss://} URIs) and with the JDK's
 * {@link java.net.http.HttpClient} and WebSocket, ALPN {@code http/1.1}, and a plaintext request to the
 * TLS port. With the reactor where the JDK has it ({@link HttpsBlockingTest}: without).
 */
class HttpsTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final TestCerts CERTS = TestCerts.get();
    HttpServer server;
    URI base;

    boolean reactor() {
        return HttpServer.builder().listener().reactor();
    }

    @BeforeEach
    void start() {
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name")))
                .post("/echo", req -> Response.status(200).body(req.body(), req.header("Content-Type")))
                .websocket("/echo", ws -> {
                    for (WebSocketMessage m; (m = ws.receive()) != null; ) {
                        ws.sendText(m.text());
                    }
                })
                .build();
        HttpServer.Builder b = HttpServer.builder();
        server = b.listener(b.listener()
                        .withBindAddress("127.0.0.1")
                        .withReactor(reactor())
                        .withTls(TlsOptions.of(CERTS.serverContext())))
                .handler(router)
                .start();
        base = URI.create("https://localhost:" + server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpClient client() {
        return HttpClient.builder().tls(TlsOptions.of(CERTS.clientContext())).build();
    }

    @Test
    void ourClientOverHttpsWithKeepAlive() throws Exception {
        try (HttpClient c = client()) {
            for (int i = 0; i < 20; i++) {
                ClientResponse r = c.get(base.resolve("/hello/tls" + i));
                assertEquals(200, r.status());
                assertEquals("hello tls" + i, r.bodyString());
            }
            ClientResponse p = c.request("POST", base.resolve("/echo"))
                    .header("Content-Type", "text/plain")
                    .body("x".repeat(100_000))
                    .send();
            assertEquals("x".repeat(100_000), p.bodyString());
            assertEquals(1, c.idleConnections(), "one kept-alive TLS connection served them all");
        }
        assertEquals(1, server.stats().tcp().accepted());
    }

    @Test
    void theJdkClientOverHttps() throws Exception {
        try (java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder()
                .sslContext(CERTS.clientContext())
                .connectTimeout(WAIT)
                .build()) {
            HttpResponse<String> r = jdk.send(
                    HttpRequest.newBuilder(base.resolve("/hello/jdk"))
                            .timeout(WAIT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("hello jdk", r.body());
            // it offers h2 and http/1.1 by ALPN; the server picks http/1.1
            assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, r.version());
            assertEquals("TLSv1.3", r.sslSession().orElseThrow().getProtocol());
        }
    }

    @Test
    void alpnChoosesHttp11() throws Exception {
        try (Connection c = TcpClient.connect(
                "localhost",
                server.port(),
                ConnectOptions.defaults()
                        .withReadTimeout(WAIT)
                        .withTls(TlsOptions.of(CERTS.clientContext()).withApplicationProtocols("h2", "http/1.1")))) {
            assertEquals("http/1.1", c.applicationProtocol().orElseThrow());
        }
    }

    @Test
    void anUntrustedServerFailsWithTheServerNamed() {
        try (HttpClient c = HttpClient.builder().build()) { // the JDK's authorities do not know the test CA
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> c.get(base.resolve("/hello/x")));
            assertTrue(e.getMessage().contains("localhost:" + server.port()), e.getMessage());
        }
    }

    @Test
    void plaintextHttpToTheTlsPortIsClosedAndTheServerGoesOn() throws Exception {
        try (HttpClient c = HttpClient.builder().build()) {
            assertThrows(IOException.class, () -> c.get(URI.create("http://localhost:" + server.port() + "/hello/x")));
        }
        await().atMost(WAIT).until(() -> server.stats().tcp().closed().get(CloseReason.TLS_HANDSHAKE) == 1);
        try (HttpClient c = client()) {
            assertEquals("hello again", c.get(base.resolve("/hello/again")).bodyString());
        }
    }

    @Test
    void hostAndPortCallsStayPlaintext() {
        try (HttpClient c = client()) {
            assertThrows(IOException.class, () -> c.get("localhost", server.port(), "/hello/x"));
        }
    }

    @Test
    void wssWithOurClient() throws Exception {
        URI wss = URI.create("wss://localhost:" + server.port() + "/echo");
        try (WebSocket ws = WebSocketClient.connect(wss, 1 << 20, null, TlsOptions.of(CERTS.clientContext()))) {
            for (int i = 0; i < 10; i++) {
                ws.sendText("secret " + i);
                assertEquals("secret " + i, ws.receive().text());
            }
        }
        assertThrows(SSLHandshakeException.class, () -> WebSocketClient.connect(wss)); // the JDK's trust only
    }

    @Test
    void wssWithTheJdkClient() throws Exception {
        CompletableFuture<String> got = new CompletableFuture<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        try (java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder()
                .sslContext(CERTS.clientContext())
                .build()) {
            java.net.http.WebSocket ws = jdk.newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + server.port() + "/echo"), new Listener() {
                        @Override
                        public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                            got.complete(data.toString());
                            w.request(1); // for the close frame: the client's close() waits for the handshake
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(java.net.http.WebSocket w, int status, String reason) {
                            closed.complete(status);
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("über tls", true).get(10, TimeUnit.SECONDS);
            assertEquals("über tls", got.get(10, TimeUnit.SECONDS));
            ws.sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
            assertEquals(1000, closed.get(10, TimeUnit.SECONDS), "the server answers the close over TLS");
        }
    }
}
