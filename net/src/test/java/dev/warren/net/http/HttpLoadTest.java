package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.net.CloseReason;
import dev.warren.tasklets.TaskletScope;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many keep-alive connections at once on loopback, bounded in count and time. */
class HttpLoadTest {
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() {
        RawHttp.warmUpSockets();
    }

    @Test
    void twoThousandConcurrentKeepAliveConnections() throws Exception {
        int connections = 2000;
        int requests = 10;
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name")))
                .build();
        try (HttpServer server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .backlog(4096)
                .handler(router)
                .start()) {
            CountDownLatch allConnected = new CountDownLatch(connections);
            AtomicInteger maxActive = new AtomicInteger();
            try (var clients = TaskletScope.failFast("http-clients")
                    .deadline(Duration.ofSeconds(60))
                    .open()) {
                for (int i = 0; i < connections; i++) {
                    int id = i;
                    clients.fork("http-client " + i, () -> {
                        try (HttpClient client =
                                HttpClient.builder().maxIdlePerHost(1).build()) {
                            check(client.get("127.0.0.1", server.port(), "/hello/" + id), id);
                            allConnected.countDown();
                            allConnected.await(); // all connections are open at the same time
                            maxActive.accumulateAndGet(
                                    (int) server.stats().tcp().active(), Math::max);
                            for (int m = 1; m < requests; m++) {
                                check(client.get("127.0.0.1", server.port(), "/hello/" + id), id);
                            }
                        }
                    });
                }
                clients.join();
            }
            assertEquals(connections, maxActive.get());
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> server.stats().tcp().closedTotal() == connections);
            HttpServerStats st = server.stats();
            assertEquals(connections, st.tcp().accepted(), st.toString());
            assertEquals(connections, st.tcp().closed(CloseReason.NORMAL), st.toString());
            assertEquals((long) connections * requests, st.requests());
            assertEquals(0, st.rejected());
            assertEquals(0, st.handlerErrors());
        }
    }

    private static void check(ClientResponse r, int id) throws IOException {
        if (r.status() != 200 || !r.bodyString().equals("hello " + id)) {
            throw new IOException("client " + id + " got " + r + ": " + r.bodyString());
        }
    }

    @Test
    void closeUnderLoadFinishesRequestsInFlightWithinTheDrainTimeout() throws Exception {
        int connections = 200;
        CountDownLatch busy = new CountDownLatch(connections);
        HttpServer server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .drainTimeout(Duration.ofSeconds(10))
                .handler(Router.builder()
                        .get("/slow", req -> {
                            busy.countDown();
                            Thread.sleep(50); // the request's own work, not a wait for the test
                            return Response.ok("ok");
                        })
                        .build())
                .start();
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        try (var clients = TaskletScope.supervise("busy-http-clients").open()) {
            for (int i = 0; i < connections; i++) {
                clients.fork("client " + i, () -> {
                    try (HttpClient client = HttpClient.builder().build()) {
                        for (; ; ) {
                            ClientResponse r = client.get("127.0.0.1", server.port(), "/slow");
                            if (r.status() != 200) {
                                throw new AssertionError("got " + r);
                            }
                            ok.incrementAndGet();
                            if ("close".equals(r.header("Connection"))) {
                                return; // the server is closing: this was the last answer on this connection
                            }
                        }
                    } catch (IOException closed) {
                        refused.incrementAndGet(); // a new connection after the listener closed
                    }
                });
            }
            busy.await();
            long t0 = System.nanoTime();
            server.close();
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            clients.join();
            assertEquals(true, tookMillis < 5_000, "close took " + tookMillis + " ms");
        }
        HttpServerStats st = server.stats();
        assertEquals(0, st.tcp().closed(CloseReason.SHUTDOWN), st.toString()); // nobody was cut off
        assertEquals(0, st.handlerErrors());
        assertEquals(st.requests(), ok.get(), "every request the server read was answered");
    }
}
