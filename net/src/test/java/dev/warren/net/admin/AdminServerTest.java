package dev.warren.net.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.warren.net.TcpServer;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private static AdminServer admin;
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        admin = AdminServer.start(0);
    }

    @AfterAll
    static void stop() {
        admin.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElseThrow());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    @Test
    void capaDescribesTheProcess() throws Exception {
        JsonObject c = json("/capa.json");
        assertTrue(c.get("version").getAsString().matches("\\d+\\.\\d+\\.\\d+.*"), c.toString());
        assertFalse(c.get("commit").getAsString().isEmpty());
        assertEquals(
                Runtime.version().toString(),
                c.getAsJsonObject("jdk").get("version").getAsString());
        assertEquals(
                System.getProperty("os.arch"),
                c.getAsJsonObject("os").get("arch").getAsString());
        assertTrue(c.get("carrier_parallelism").getAsInt() > 0);
        assertEquals("1", c.get("poller_mode").getAsString()); // the surefire JVM runs with -Djdk.pollerMode=1
        assertTrue(c.getAsJsonObject("reactor").get("supported").isJsonPrimitive());
        JsonArray modules = c.getAsJsonArray("modules");
        assertTrue(modules.contains(new com.google.gson.JsonPrimitive("warren-net")), modules.toString());
        assertEquals(ProcessHandle.current().pid(), c.get("pid").getAsLong());
        assertTrue(c.get("now_ms").getAsLong() > 0);
    }

    @Test
    void socketsShowsATestConnectionWithItsByteCounts() throws Exception {
        TcpServer echo = TcpServer.builder()
                .name("admin-test-echo")
                .bindAddress("127.0.0.1")
                .handler(c -> {
                    byte[] b = new byte[64];
                    for (int n; (n = c.readUpTo(b, 0, b.length)) > 0; ) {
                        c.write(b, 0, n).flush();
                    }
                })
                .start();
        try (Socket s = new Socket("127.0.0.1", echo.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals(5, in.readNBytes(5).length);
            String me = "127.0.0.1:" + s.getLocalPort();
            JsonObject conn =
                    await().atMost(Duration.ofSeconds(10)).until(() -> findConnection(echo.name(), me), c -> c != null);
            assertEquals(5, conn.get("bytes_in").getAsLong());
            assertEquals(5, conn.get("bytes_out").getAsLong());
            assertEquals("open", conn.get("state").getAsString());
            assertTrue(conn.get("tasklet").getAsLong() > 0);
            assertTrue(conn.get("age_ms").getAsLong() >= 0);
            JsonObject listener = listener(json("/sockets.json"), echo.name());
            assertEquals("tcp", listener.get("protocol").getAsString());
            assertEquals(1, listener.get("open").getAsLong());
            assertEquals(1, listener.get("connections_total").getAsLong());
            assertTrue(listener.getAsJsonObject("closed").has("peer_reset"));
            // limit=0: the count stays, the list goes
            JsonObject none = listener(json("/sockets.json?limit=0"), echo.name());
            assertEquals(0, none.getAsJsonArray("connections").size());
            assertEquals(1, none.get("connections_total").getAsLong());
        } finally {
            echo.close();
        }
        assertEquals(null, listenerOrNull(json("/sockets.json"), echo.name()), "a closed server leaves the report");
    }

    @Test
    void socketsListsTheNewestConnectionsFirstUpToTheLimit() throws Exception {
        java.util.concurrent.CountDownLatch served = new java.util.concurrent.CountDownLatch(6);
        TcpServer idle = TcpServer.builder()
                .name("admin-test-newest")
                .bindAddress("127.0.0.1")
                .handler(c -> {
                    served.countDown();
                    while (c.readUpTo(new byte[16], 0, 16) > 0) {
                        // until the client closes
                    }
                })
                .start();
        java.util.List<Socket> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(new Socket("127.0.0.1", idle.port()));
            }
            served.await();
            // the server accepts in connect order, one acceptor: the last socket is the newest connection
            JsonObject l = listener(json("/sockets.json?limit=3"), idle.name());
            assertEquals(6, l.get("connections_total").getAsLong());
            java.util.List<String> remotes = new java.util.ArrayList<>();
            for (JsonElement e : l.getAsJsonArray("connections")) {
                remotes.add(e.getAsJsonObject().get("remote").getAsString());
            }
            assertEquals(
                    java.util.List.of(
                            "127.0.0.1:" + clients.get(5).getLocalPort(),
                            "127.0.0.1:" + clients.get(4).getLocalPort(),
                            "127.0.0.1:" + clients.get(3).getLocalPort()),
                    remotes);
            assertEquals(
                    6,
                    listener(json("/sockets.json?limit=100"), idle.name())
                            .getAsJsonArray("connections")
                            .size());
        } finally {
            for (Socket c : clients) {
                c.close();
            }
            idle.close();
        }
    }

    private static JsonObject findConnection(String server, String remote) throws Exception {
        JsonObject l = listenerOrNull(json("/sockets.json"), server);
        if (l == null) {
            return null;
        }
        for (JsonElement e : l.getAsJsonArray("connections")) {
            if (e.getAsJsonObject().get("remote").getAsString().equals(remote)) {
                JsonObject c = e.getAsJsonObject();
                return c.get("bytes_out").getAsLong() == 5 ? c : null;
            }
        }
        return null;
    }

    private static JsonObject listener(JsonObject sockets, String name) {
        JsonObject l = listenerOrNull(sockets, name);
        assertTrue(l != null, "no listener " + name + " in " + sockets);
        return l;
    }

    private static JsonObject listenerOrNull(JsonObject sockets, String name) {
        for (JsonElement e : sockets.getAsJsonArray("listeners")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    @Test
    void taskletFiltersByNameStateAndLimit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Tasklet<Void> t = Tasklets.start("admin-test-parked-7d1", () -> {
            release.await();
        });
        try {
            JsonObject byName = json("/tasklets.json?name=admin-test-parked-7d1");
            assertEquals(1, byName.get("matched").getAsInt());
            assertTrue(byName.get("tasklets").getAsInt() >= 1);
            String text = byName.toString();
            assertTrue(text.contains("\"id\":" + t.id() + ","), text);
            assertTrue(text.contains("\"state\":\"RUNNING\""), text);
            JsonObject running = json("/tasklets.json?state=running&name=admin-test-parked");
            assertEquals(1, running.get("matched").getAsInt());
            JsonObject done = json("/tasklets.json?state=DONE&name=admin-test-parked");
            assertEquals(0, done.get("matched").getAsInt());
            assertEquals(0, done.getAsJsonArray("scopes").size());
            JsonObject limited = json("/tasklets.json?limit=0");
            assertEquals(0, limited.get("shown").getAsInt());
            assertTrue(limited.get("truncated").getAsBoolean());
            assertTrue(limited.get("matched").getAsInt() >= 1);
        } finally {
            release.countDown();
            t.join();
        }
    }

    @Test
    void reportsJobqStreamsPinningAndThreadsAreJson() throws Exception {
        JsonObject reports = json("/reports.json");
        assertTrue(reports.getAsJsonArray("reports").contains(new com.google.gson.JsonPrimitive("tasklets")));
        assertTrue(json("/reports/tasklets.json").has("scopes"));
        try (dev.warren.tasklets.JobQueue q =
                dev.warren.tasklets.JobQueue.builder("admin-test-q").start()) {
            q.submit(() -> 1).get();
            // the job's future completes before its worker counts it (when it next takes the queue's lock)
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> json("/jobq.json")
                                    .getAsJsonObject("admin-test-q")
                                    .get("total_jobs")
                                    .getAsLong()
                            == 1);
            JsonObject jq = json("/jobq.json").getAsJsonObject("admin-test-q");
            for (String f : new String[] {
                "concurrency",
                "desired_concurrency",
                "total_jobs",
                "backlog",
                "inflight",
                "timeouts",
                "avg_wait_ms",
                "avg_run_ms"
            }) {
                assertTrue(jq.get(f).getAsJsonPrimitive().isNumber(), f + " in " + jq);
            }
            assertEquals(1, jq.get("total_jobs").getAsLong());
        }
        assertTrue(json("/streams.json").has("jobs"));
        JsonObject pin = json("/pinning.json");
        assertTrue(pin.get("running").getAsBoolean(), pin.toString());
        assertTrue(pin.get("pinned").getAsJsonPrimitive().isNumber());
        CountDownLatch release = new CountDownLatch(1);
        Tasklet<Void> t = Tasklets.start("admin-test-dumped-9f2", () -> {
            release.await();
        });
        try {
            JsonObject dump = json("/threads").getAsJsonObject("threadDump");
            String text = dump.toString();
            assertTrue(text.contains("admin-test-dumped-9f2"), "the virtual thread is in the dump");
            assertTrue(dump.getAsJsonArray("threadContainers").size() > 0);
        } finally {
            release.countDown();
            t.join();
        }
    }

    @Test
    void metricsCountTheRequestsOfAnHttpServerExactly() throws Exception {
        HttpServer http = HttpServer.builder()
                .name("admin-test-http")
                .bindAddress("127.0.0.1")
                .handler(req -> req.path().equals("/missing") ? Response.text(404, "no\n") : Response.ok("hi\n"))
                .start();
        try {
            for (int i = 0; i < 7; i++) {
                CLIENT.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/x"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/missing"))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            HttpResponse<String> r = get("/metrics");
            assertEquals(200, r.statusCode());
            assertEquals(
                    "text/plain; version=0.0.4; charset=utf-8",
                    r.headers().firstValue("Content-Type").orElseThrow());
            String server = "admin-test-http 127.0.0.1:" + http.port();
            String text = r.body();
            assertEquals(
                    7,
                    sample(
                            text,
                            "warren_http_requests_total{server=\"" + server + "\",method=\"GET\",status=\"2xx\"}"));
            assertEquals(
                    1,
                    sample(
                            text,
                            "warren_http_requests_total{server=\"" + server + "\",method=\"GET\",status=\"4xx\"}"));
            assertEquals(8, sample(text, "warren_http_request_duration_seconds_count{server=\"" + server + "\"}"));
            assertEquals(
                    8,
                    sample(text, "warren_http_request_duration_seconds_bucket{server=\"" + server + "\",le=\"+Inf\"}"));
            assertEquals(1, sample(text, "warren_tcp_connections_open{server=\"" + server + "\",protocol=\"http\"}"));
            assertTrue(text.contains("# TYPE warren_http_request_duration_seconds histogram\n"));
            JsonArray families =
                    JsonParser.parseString(get("/metrics.json").body()).getAsJsonArray();
            boolean found = false;
            for (JsonElement f : families) {
                if (f.getAsJsonObject().get("name").getAsString().equals("warren_http_request_duration_seconds")) {
                    for (JsonElement s : f.getAsJsonObject().getAsJsonArray("samples")) {
                        JsonObject so = s.getAsJsonObject();
                        if (so.getAsJsonObject("labels")
                                .get("server")
                                .getAsString()
                                .equals(server)) {
                            assertEquals(8, so.get("count").getAsLong());
                            assertEquals(
                                    8, so.getAsJsonObject("recent").get("count").getAsLong());
                            assertTrue(so.getAsJsonObject("recent").get("p99").getAsDouble() > 0);
                            found = true;
                        }
                    }
                }
            }
            assertTrue(found, "the histogram of " + server + " is in /metrics.json");
        } finally {
            http.close();
        }
        assertFalse(get("/metrics").body().contains("admin-test-http"), "a closed server's series go away");
    }

    static double sample(String text, String series) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), "no sample " + series + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void badInputIsA400Or404WithAJsonMessageNamingTheValue() throws Exception {
        assertError("/tasklets.json?limit=-1", 400, "-1");
        assertError("/tasklets.json?limit=abc", 400, "'abc'");
        assertError("/sockets.json?limit=abc", 400, "'abc'");
        assertError("/tasklets.json?state=sleepy", 400, "'sleepy'");
        assertError("/sockets.json?bogus=1", 400, "'bogus'");
        assertError("/capa.json?limit=1", 400, "'limit'");
        assertError("/tasklets.json?limit=1&limit=2", 400, "2 times");
        assertError("/reports/no-such-report.json", 400, "'no-such-report'");
        assertError("/nowhere", 404, "/nowhere");
        HttpResponse<String> post = CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertTrue(JsonParser.parseString(post.body())
                .getAsJsonObject()
                .get("error")
                .getAsString()
                .contains("POST"));
    }

    private static void assertError(String path, int status, String mentions) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(status, r.statusCode(), path + ": " + r.body());
        assertEquals(
                "application/json; charset=utf-8",
                r.headers().firstValue("Content-Type").orElseThrow());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(status, o.get("status").getAsInt());
        assertTrue(o.get("error").getAsString().contains(mentions), path + ": " + o);
    }

    @Test
    void aTokenGuardsEveryDataEndpoint() throws Exception {
        String token = "s3cret-token-0123456789";
        try (AdminServer guarded =
                AdminServer.builder().token(token).pinningMonitor(false).start()) {
            String base = "http://127.0.0.1:" + guarded.port();
            for (String path : new String[] {"/metrics", "/capa.json", "/tasklets.json", "/threads", "/nowhere"}) {
                HttpResponse<String> none = CLIENT.send(
                        HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers()
                        .firstValue("WWW-Authenticate")
                        .orElseThrow()
                        .startsWith("Bearer"));
                HttpResponse<String> wrong = CLIENT.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .header("Authorization", "Bearer " + token + "x")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, wrong.statusCode(), path);
            }
            HttpResponse<String> ok = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/capa.json"))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            HttpResponse<String> bare = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, bare.statusCode(), "the page wants the token too");
            HttpResponse<String> wrongQuery = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/?token=" + token + "x"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrongQuery.statusCode());
            HttpResponse<String> notThePage = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/capa.json?token=" + token))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, notThePage.statusCode(), "only the page takes the token in its address");
            HttpResponse<String> page = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/?token=" + token))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<title>Warren admin</title>"));
            assertEquals(
                    "no-referrer", page.headers().firstValue("Referrer-Policy").orElseThrow());
        }
        var shortToken = assertThrows(
                IllegalArgumentException.class, () -> AdminServer.builder().token("short"));
        assertTrue(shortToken.getMessage().contains("5 characters"), shortToken.getMessage());
        var badPort = assertThrows(
                IllegalArgumentException.class, () -> AdminServer.builder().port(70000));
        assertTrue(badPort.getMessage().contains("70000"));
    }
}
