package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated requests against a live server over raw sockets: each gets an answer or a close, never a
 * hang or a handler-level failure, and the server answers a good request afterwards.
 */
class HttpServerFuzzTest {
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        RawHttp.warmUpSockets();
    }

    private static final String[] SEEDS = {
        "GET /hello/x?a=1 HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: v\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    };

    @Test
    void mutatedRequestsNeverHangOrBreakTheServer() throws IOException {
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name")))
                .post("/echo", req -> Response.status(200).body(req.body()))
                .get("/", req -> Response.ok("root"))
                .build();
        Random random = new Random(42); // fixed seed: a failure is reproducible
        try (HttpServer server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .handler(router)
                .headerTimeout(Duration.ofMillis(300))
                .bodyReadTimeout(Duration.ofMillis(300))
                .start()) {
            for (int i = 0; i < 300; i++) {
                byte[] raw = mutate(SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.ISO_8859_1), random);
                try (Socket s = new Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000); // far above the server's timeouts: a hang fails the test
                    s.getOutputStream().write(raw);
                    s.shutdownOutput();
                    InputStream in = s.getInputStream();
                    String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                    assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 "), "request " + i + ": " + answer);
                } catch (java.net.SocketException reset) {
                    // the server closed while we were still writing: an accepted outcome for garbage
                }
            }
            try (RawHttp c = new RawHttp(server.port())) {
                assertEquals(
                        "root",
                        c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
            }
            assertEquals(0, server.stats().handlerErrors());
            assertEquals(0, server.stats().tcp().closed(CloseReason.ERROR));
        }
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(3)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = (byte) "\r\n :;,0a\t".charAt(r.nextInt(9));
                default -> b = java.util.Arrays.copyOf(b, Math.max(1, at)); // truncate
            }
        }
        return b;
    }
}
