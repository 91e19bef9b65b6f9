package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.warren.net.CloseReason;
import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener options of an {@link HttpServer}, and the HTTP idle rule under the TCP server's idle reaper. */
class HttpServerListenerTest {
    private HttpServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDefaultsAreTheHttpOnes() {
        ListenerOptions d = HttpServer.defaultListener();
        assertEquals(d, HttpServer.builder().listener());
        assertEquals("http-server", d.name());
        assertEquals(Duration.ofSeconds(60), d.idleTimeout());
        assertEquals(TcpServer.reactorSupported(), d.reactor());
        assertNull(d.readTimeout());
    }

    @Test
    void aReadTimeoutIsRejectedWhenSet() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> HttpServer.builder().listener(ListenerOptions.defaults().withReadTimeout(Duration.ofSeconds(1))));
        assertEquals(
                "readTimeout does not apply to an HTTP server (it times its reads with headerTimeout and"
                        + " bodyReadTimeout), was PT1S",
                e.getMessage());
    }

    @Test
    void bindsWhereTheListenerSays() throws Exception {
        server = HttpServer.builder()
                .listener(HttpServer.defaultListener().withName("http-listener-test"))
                .bindAddress(InetAddress.getByName("127.0.0.1"))
                .handler(req -> Response.ok("hi\n"))
                .start();
        assertEquals(InetAddress.getByName("127.0.0.1"), server.localAddress().getAddress());
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(
                    "hi\n", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
    }

    @Test
    void withoutAnIdleTimeoutNoReaperRuns() throws Exception {
        server = HttpServer.builder()
                .listener(HttpServer.defaultListener().withName("http-no-idle").withIdleTimeout(null))
                .bindAddress("127.0.0.1")
                .handler(req -> Response.ok("hi\n"))
                .start();
        try (RawHttp c = new RawHttp(server.port())) {
            assertEquals(
                    "hi\n", c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        }
        assertFalse(
                Tasklets.snapshot().tasklets().stream()
                        .map(TaskletInfo::name)
                        .anyMatch(n -> n.startsWith("idle-reaper 127.0.0.1:" + server.port())),
                () -> Tasklets.snapshot().toText());
    }

    /**
     * The TCP server's reaper applies the HTTP rule: a handler that reads and writes nothing for longer
     * than the idle timeout is busy, not idle. With the plain TCP rule (no read or write for the idle
     * timeout) the reaper would close its connection under it.
     */
    @Test
    void aSlowHandlerIsNotIdle() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .idleTimeout(Duration.ofMillis(200))
                .handler(req -> {
                    release.await();
                    return Response.ok("done\n");
                })
                .start();
        try (RawHttp c = new RawHttp(server.port())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            // The passage of time is under test: many reaper rounds (every 50 ms) pass while the handler works.
            Thread.sleep(800);
            release.countDown();
            assertEquals("done\n", c.read().body());
        }
        assertEquals(0, server.stats().tcp().closed(CloseReason.TIMEOUT));
    }
}
