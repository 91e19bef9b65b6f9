package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Everything an {@link HttpServer} starts lives under the tasklet that started it: cancelling that
 * owner leaves nothing of the server in the registry. Its idle sweeper used to run in the root scope,
 * outside the server, and outlived the owner.
 */
class HttpServerOwnershipTest {

    @Test
    void cancellingTheOwnerLeavesNothingOfTheServer() throws Exception {
        String name = "owned-http-" + System.nanoTime();
        AtomicReference<HttpServer> started = new AtomicReference<>();
        CountDownLatch up = new CountDownLatch(1);
        TaskletScope owner = TaskletScope.supervise("http-owner-test").open();
        try {
            Tasklet<Void> t = owner.fork("owner", () -> {
                started.set(HttpServer.builder()
                        .name(name)
                        .bindAddress("127.0.0.1")
                        .idleTimeout(Duration.ofSeconds(30))
                        .handler(req -> Response.ok("hi\n"))
                        .start());
                up.countDown();
                new CountDownLatch(1).await(); // serves until cancelled
            });
            up.await();
            try (RawHttp c = new RawHttp(started.get().port())) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
            String before = Tasklets.snapshot().toText();
            assertTrue(before.contains(name), before);
            assertTrue(before.contains("idle-reaper 127.0.0.1:" + started.get().port()), before);
            t.cancel();
            owner.close();
            String after = Tasklets.snapshot().toText();
            assertFalse(after.contains(name), () -> "left after the owner was cancelled:\n" + after);
            assertFalse(after.contains("127.0.0.1:" + started.get().port()), after);
        } finally {
            owner.close();
            HttpServer s = started.get();
            if (s != null) {
                s.close(); // releases the listening socket
            }
        }
    }
}
