package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code ./http_server} under {@code wrk -c500}, and under {@code ./http_client -n -c500}, while {@code /metrics}
 * and {@code /sockets.json} of its admin server are read every 100 ms: no errors anywhere, and the request
 * counter adds up to what the clients made.
 */
class ObservedLoadTest {
    private static final Pattern REQUESTS = Pattern.compile(
            "(?m)^warren_http_requests_total\\{server=\"http_server [^\"]*\",method=\"GET\",status=\"2xx\"\\} (\\d+)$");

    private static long requests(String metrics) {
        Matcher m = REQUESTS.matcher(metrics);
        assertTrue(m.find(), "no GET 2xx counter of http_server in /metrics:\n" + metrics);
        return Long.parseLong(m.group(1));
    }

    /** Reads /metrics and /sockets.json every 100 ms until stopped; counts reads and remembers any failure. */
    private static final class Poller implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger polls = new AtomicInteger();
        final AtomicReference<String> failure = new AtomicReference<>();
        final Thread thread;

        Poller(String admin) {
            HttpClient c = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            thread = Thread.ofPlatform().name("admin poller").start(() -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<String> m = c.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        HttpResponse<String> s = c.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/sockets.json"))
                                        .timeout(Duration.ofSeconds(10))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (m.statusCode() != 200 || s.statusCode() != 200) {
                            failure.compareAndSet(null, "status " + m.statusCode() + " / " + s.statusCode());
                        }
                        requests(m.body());
                        if (JsonParser.parseString(s.body())
                                .getAsJsonObject()
                                .getAsJsonArray("listeners")
                                .isEmpty()) {
                            failure.compareAndSet(null, "sockets.json lists no listener: " + s.body());
                        }
                        polls.incrementAndGet();
                        Thread.sleep(100); // the polling period, not a wait for something to happen
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception | AssertionError e) {
                        failure.compareAndSet(null, e.toString());
                    }
                }
            });
        }

        @Override
        public void close() {
            stop.set(true);
            thread.interrupt(); // ends its 100 ms pause at once
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String get(String url) throws Exception {
        return PrometheusScrapeTest.body(url);
    }

    @Test
    void wrkAndHttpClientAt500ConnectionsAreCountedExactlyWhileTheAdminEndpointsArePolled() throws Exception {
        Path wrk = ExternalTool.require("wrk", "wrk");
        try (DemoProcess server = DemoProcess.start("http_server", "0", "--admin", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            String admin = server.awaitStderr("admin server and dashboard on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            String metricsUrl = "http://127.0.0.1:" + admin + "/metrics";
            try (Poller poller = new Poller(admin)) {
                long before = requests(get(metricsUrl));
                Process p = new ProcessBuilder(
                                wrk.toString(), "-t2", "-c500", "-d3s", "http://127.0.0.1:" + port + "/hello/wrk")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), out);
                assertFalse(out.contains("Socket errors"), out);
                assertFalse(out.contains("Non-2xx"), out);
                Matcher m = Pattern.compile("(\\d+) requests in").matcher(out);
                assertTrue(m.find(), out);
                long made = Long.parseLong(m.group(1));
                assertTrue(made > 500, out);
                // wrk stops with up to one request in flight per connection: those were answered (and
                // counted) but wrk no longer counted the answer
                long wrkCounted = requests(get(metricsUrl)) - before;
                assertTrue(
                        wrkCounted >= made && wrkCounted <= made + 500,
                        "server counted " + wrkCounted + ", wrk completed " + made + "\n" + out);

                long before2 = requests(get(metricsUrl));
                try (DemoProcess client = DemoProcess.start(
                        "http_client", "-n", "20000", "-c", "500", "127.0.0.1", port, "/hello/client")) {
                    assertTrue(client.process.waitFor(120, TimeUnit.SECONDS), "http_client did not finish");
                    assertEquals(0, client.process.exitValue(), client.output() + client.stderr.get());
                }
                assertEquals(20_000, requests(get(metricsUrl)) - before2, "every request of http_client counted once");
                assertEquals(null, poller.failure.get());
                assertTrue(poller.polls.get() > 0);
            }
            // every connection of the load ended cleanly: none for a protocol error or a handler bug
            JsonObject sockets = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> httpServer(JsonParser.parseString(get("http://127.0.0.1:" + admin + "/sockets.json"))
                                    .getAsJsonObject()),
                            l -> l.get("open").getAsLong() == 0);
            JsonObject closed = sockets.getAsJsonObject("closed");
            assertEquals(0, closed.get("protocol_error").getAsLong(), sockets.toString());
            assertEquals(0, closed.get("error").getAsLong(), sockets.toString());
            long closedTotal = 0;
            for (String reason : closed.keySet()) {
                closedTotal += closed.get(reason).getAsLong();
            }
            // at least the 500 + 500 connections of the two clients (wrk may open one more); each one closed once
            assertTrue(sockets.get("accepted").getAsLong() >= 1000, sockets.toString());
            assertEquals(sockets.get("accepted").getAsLong(), closedTotal, sockets.toString());
        }
    }

    private static JsonObject httpServer(JsonObject sockets) {
        for (JsonElement l : sockets.getAsJsonArray("listeners")) {
            if (l.getAsJsonObject().get("name").getAsString().startsWith("http_server ")) {
                return l.getAsJsonObject();
            }
        }
        throw new AssertionError("no http_server listener in " + sockets);
    }
}
