package dev.warren.net.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log streams over the admin server: listed, switched, and read as libmtev's memory-log endpoint. */
class AdminLogsTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TOKEN = "logs-test-token-0123456789";

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

    private static String error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
    }

    @Test
    void listsSwitchesAndReadsStreams() throws Exception {
        LogStream s = LogStreams.builder("test.admin").memory(100, 10_000).declare();
        try (AdminServer admin = AdminServer.builder().pinningMonitor(false).start()) {
            JsonObject list =
                    JsonParser.parseString(send(admin, "GET", "/logs").body()).getAsJsonObject();
            List<String> names = new ArrayList<>();
            for (JsonElement e : list.getAsJsonArray("streams")) {
                names.add(e.getAsJsonObject().get("name").getAsString());
            }
            assertTrue(
                    names.containsAll(List.of("http.access", "net.close", "jobq", "watchdog", "test.admin")),
                    names.toString());

            s.log("before: not kept");
            HttpResponse<String> on = send(admin, "PUT", "/logs/test.admin?enabled=true");
            assertEquals(200, on.statusCode(), on.body());
            assertTrue(JsonParser.parseString(on.body())
                    .getAsJsonObject()
                    .get("enabled")
                    .getAsBoolean());
            assertTrue(s.enabled());
            for (int i = 1; i <= 5; i++) {
                s.log("line {}", i);
            }
            JsonObject state = JsonParser.parseString(
                            send(admin, "GET", "/logs/test.admin").body())
                    .getAsJsonObject();
            assertEquals(5, state.get("lines").getAsLong());

            JsonArray all = JsonParser.parseString(
                            send(admin, "GET", "/logs/test.admin.json").body())
                    .getAsJsonArray();
            assertEquals(5, all.size());
            JsonObject first = all.get(0).getAsJsonObject();
            assertEquals(1, first.get("idx").getAsLong());
            assertEquals("line 1", first.get("line").getAsString());
            assertTrue(first.get("whence").getAsLong() > 0);

            JsonArray last2 = JsonParser.parseString(
                            send(admin, "GET", "/logs/test.admin.json?last=2").body())
                    .getAsJsonArray();
            assertEquals(List.of(4L, 5L), idx(last2));
            JsonArray since3 = JsonParser.parseString(
                            send(admin, "GET", "/logs/test.admin.json?since=3").body())
                    .getAsJsonArray();
            assertEquals(List.of(4L, 5L), idx(since3));

            assertEquals(
                    200, send(admin, "PUT", "/logs/test.admin?enabled=false").statusCode());
            assertFalse(s.enabled());
        }
    }

    @Test
    void badValuesAre400UnknownStreams404() throws Exception {
        LogStreams.declare("test.nomemory");
        try (AdminServer admin = AdminServer.builder().pinningMonitor(false).start()) {
            assertTrue(
                    error(send(admin, "PUT", "/logs/jobq?enabled=maybe"), 400).contains("'maybe'"));
            assertTrue(error(send(admin, "PUT", "/logs/jobq"), 400).contains("enabled=true"));
            assertTrue(error(send(admin, "PUT", "/logs/jobq?on=1"), 400).contains("'on'"));
            assertTrue(
                    error(send(admin, "PUT", "/logs/no.such?enabled=true"), 404).contains("'no.such'"));
            assertTrue(error(send(admin, "GET", "/logs/no.such.json"), 404).contains("'no.such'"));
            assertTrue(error(send(admin, "GET", "/logs/jobq.json?last=x"), 400).contains("'x'"));
            assertTrue(
                    error(send(admin, "GET", "/logs/jobq.json?since=-4"), 400).contains("'-4'"));
            assertTrue(
                    error(send(admin, "GET", "/logs/test.nomemory.json"), 404).contains("memory"));
            assertTrue(error(send(admin, "PUT", "/metrics"), 405).contains("PUT"));
            assertTrue(error(send(admin, "DELETE", "/logs/jobq"), 405).contains("DELETE"));
        }
    }

    @Test
    void switchingNeedsTheTokenWhenOneIsSet() throws Exception {
        LogStream s = LogStreams.declare("test.guarded");
        try (AdminServer admin =
                AdminServer.builder().token(TOKEN).pinningMonitor(false).start()) {
            assertEquals(
                    401, send(admin, "PUT", "/logs/test.guarded?enabled=true").statusCode());
            assertFalse(s.enabled(), "an unauthorised PUT changes nothing");
            assertEquals(
                    200,
                    send(admin, "PUT", "/logs/test.guarded?enabled=true", "Authorization", "Bearer " + TOKEN)
                            .statusCode());
            assertTrue(s.enabled());
        }
    }

    @Test
    void theAccessLogIsTheHttpAccessStreamAndItsCountsAreMetrics() throws Exception {
        boolean before = LogStreams.HTTP_ACCESS.enabled();
        try (HttpServer http = HttpServer.builder()
                        .name("logs-test-http")
                        .handler(req -> Response.ok("hi\n"))
                        .start();
                AdminServer admin = AdminServer.builder().pinningMonitor(false).start()) {
            http.accessLog(true);
            assertTrue(LogStreams.HTTP_ACCESS.enabled(), "the server's switch is the stream's");
            long lines = LogStreams.HTTP_ACCESS.lines();
            HttpResponse<String> r = CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/access-marker"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            // the line is written after the answer: wait for it rather than race it
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> LogStreams.HTTP_ACCESS.lines() > lines);
            assertTrue(
                    LogStreams.HTTP_ACCESS.read(-1, -1).stream()
                            .anyMatch(l -> l.text().contains("\"GET /access-marker HTTP/1.1\" 200")),
                    LogStreams.HTTP_ACCESS.read(-1, -1).toString());
            String metrics = send(admin, "GET", "/metrics").body();
            assertTrue(metrics.contains("warren_log_lines_total{stream=\"http.access\"}"), metrics);
            http.accessLog(false);
            assertFalse(LogStreams.HTTP_ACCESS.enabled());
        } finally {
            LogStreams.HTTP_ACCESS.enabled(before);
        }
    }

    @Test
    void watchdogJsonShowsHeartbeatsAndAnOverdueOneWithItsStack() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        try (AdminServer admin = AdminServer.builder().pinningMonitor(false).start();
                dev.warren.tasklets.JobQueue q = dev.warren.tasklets.JobQueue.builder("wdq")
                        .maxConcurrency(1)
                        .start()) {
            q.add(() -> {
                try (dev.warren.tasklets.Heartbeat hb =
                        dev.warren.tasklets.Watchdog.register("admin-test-beat", Duration.ofMillis(50))) {
                    hb.beat();
                    running.countDown();
                    release.await();
                }
            });
            running.await();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonObject w = JsonParser.parseString(
                                send(admin, "GET", "/watchdog.json").body())
                        .getAsJsonObject();
                for (JsonElement e : w.getAsJsonArray("events")) {
                    JsonObject ev = e.getAsJsonObject();
                    if (ev.get("name").getAsString().equals("admin-test-beat")) {
                        return ev.get("kind").getAsString().equals("overdue")
                                && ev.get("scope").getAsString().contains("jobq-wdq-1")
                                && ev.getAsJsonArray("stack").toString().contains("CountDownLatch.await");
                    }
                }
                return false;
            });
            JsonObject w = JsonParser.parseString(
                            send(admin, "GET", "/watchdog.json").body())
                    .getAsJsonObject();
            assertTrue(w.get("running").getAsBoolean());
            assertTrue(w.get("overdue_total").getAsLong() >= 1);
            List<String> beats = new ArrayList<>();
            for (JsonElement e : w.getAsJsonArray("heartbeats")) {
                beats.add(e.getAsJsonObject().get("name").getAsString());
            }
            assertTrue(beats.contains("jobq wdq worker"), "the queue's worker beats too: " + beats);
            release.countDown();
        }
    }

    private static List<Long> idx(JsonArray a) {
        List<Long> out = new ArrayList<>();
        for (JsonElement e : a) {
            out.add(e.getAsJsonObject().get("idx").getAsLong());
        }
        return out;
    }
}
