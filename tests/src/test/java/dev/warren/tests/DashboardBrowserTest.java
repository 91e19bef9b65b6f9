package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin dashboard in a real browser (headless Chromium over the DevTools protocol): against a demo
 * under load, the charts fill, and the numbers on the page match the JSON endpoints. Screenshots go to
 * {@code tests/target/dashboard-*.png} for a person to look at.
 */
class DashboardBrowserTest {
    private static JsonElement json(String url) throws Exception {
        return JsonParser.parseString(PrometheusScrapeTest.body(url));
    }

    private static double dom(Cdp page, String id) throws Exception {
        JsonElement v = page.evaluate("((document.getElementById('" + id + "') || {dataset: {}}).dataset.value || '')");
        return v.isJsonNull() || v.getAsString().isEmpty() ? Double.NaN : Double.parseDouble(v.getAsString());
    }

    private static int points(Cdp page, String chart) throws Exception {
        return page.evaluate("+((document.getElementById('" + chart + "') || {dataset: {}}).dataset.points || 0)")
                .getAsInt();
    }

    /** The requests of every HTTP server but the admin one, from /metrics.json, as the page sums them. */
    private static long requests(String admin) throws Exception {
        long n = 0;
        for (JsonElement f : json("http://127.0.0.1:" + admin + "/metrics.json").getAsJsonArray()) {
            if (f.getAsJsonObject().get("name").getAsString().equals("warren_http_requests_total")) {
                for (JsonElement s : f.getAsJsonObject().getAsJsonArray("samples")) {
                    String server = s.getAsJsonObject()
                            .getAsJsonObject("labels")
                            .get("server")
                            .getAsString();
                    if (!server.endsWith(":" + admin)) {
                        n += s.getAsJsonObject().get("value").getAsLong();
                    }
                }
            }
        }
        return n;
    }

    @Test
    void httpServerDashboardShowsLiveNumbersThatMatchTheEndpoints(@TempDir Path profile) throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        try (DemoProcess server = DemoProcess.start("http_server", "0", "--admin", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            String admin = server.awaitStderr("admin server and dashboard on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong made = new AtomicLong();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                load.add(Thread.ofPlatform().name("load " + i).start(() -> {
                    HttpClient c = HttpClient.newHttpClient();
                    while (!stop.get()) {
                        try {
                            String path = n == 0 && made.get() % 5 == 0 ? "/sleep?ms=3" : "/hello/dashboard";
                            c.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                            made.incrementAndGet();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            try (Cdp page = Cdp.open(chromium, profile, "http://127.0.0.1:" + admin + "/", 1440, 1000)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> points(page, "chart-rps") >= 4
                                && points(page, "chart-latency") >= 3
                                && dom(page, "kpi-rps") > 0);
                stop.set(true);
                for (Thread t : load) {
                    t.join();
                }
                long expected = made.get();
                // once the load has stopped, the page settles on exactly what the endpoints say
                await().atMost(Duration.ofSeconds(30)).until(() -> dom(page, "kpi-requests") == requests(admin));
                assertEquals(expected, requests(admin), "every request the load made is counted");
                JsonObject sockets =
                        json("http://127.0.0.1:" + admin + "/sockets.json").getAsJsonObject();
                long accepted = -1;
                String listener = null;
                for (JsonElement l : sockets.getAsJsonArray("listeners")) {
                    if (l.getAsJsonObject().get("name").getAsString().startsWith("http_server ")) {
                        accepted = l.getAsJsonObject().get("accepted").getAsLong();
                        listener = l.getAsJsonObject().get("name").getAsString();
                    }
                }
                assertTrue(accepted >= 4, "the load's connections: " + sockets);
                String shown = page.evaluate("document.querySelector('tr[data-listener=\"" + listener
                                + "\"] td[data-field=accepted]').textContent")
                        .getAsString();
                assertEquals(String.format(java.util.Locale.US, "%,d", accepted), shown);
                double tasklets = dom(page, "kpi-tasklets");
                assertTrue(tasklets > 0, "tasklets live: " + tasklets);
                String tree = page.evaluate("document.getElementById('tree').textContent")
                        .getAsString();
                assertTrue(tree.contains("acceptor"), tree);
                assertTrue(dom(page, "kpi-p99") > 0 && dom(page, "kpi-p99") >= dom(page, "kpi-p50"));
                assertEquals(
                        "dot live",
                        page.evaluate("document.getElementById('dot').className")
                                .getAsString());
                Path shot = Path.of("target/dashboard-http_server.png");
                Files.write(shot, page.screenshot());
                assertTrue(Files.size(shot) > 10_000);
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void hiveparserDashboardShowsStreamEventsAndTopKeys(@TempDir Path profile) throws Exception {
        Path chromium = ExternalTool.require("chromium", "chromium");
        try (DemoProcess hive = DemoProcess.start(
                "hiveparser",
                "--port",
                "0",
                "--generate",
                "20000",
                "--keys",
                "200",
                "--duration",
                "120s",
                "--admin",
                "0")) {
            String admin = hive.awaitStderr("admin server and dashboard on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            try (Cdp page = Cdp.open(chromium, profile, "http://127.0.0.1:" + admin + "/", 1440, 1000)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> points(page, "chart-events") >= 4
                                && dom(page, "kpi-events") > 0
                                && page.evaluate("document.querySelectorAll('#topkeys tbody tr').length")
                                                .getAsInt()
                                        > 0);
                JsonObject streams =
                        json("http://127.0.0.1:" + admin + "/streams.json").getAsJsonObject();
                String job = streams.getAsJsonArray("jobs")
                        .get(0)
                        .getAsJsonObject()
                        .get("name")
                        .getAsString();
                String table = page.evaluate("document.getElementById('streams').textContent")
                        .getAsString();
                assertTrue(table.contains(job), table);
                Path shot = Path.of("target/dashboard-hiveparser.png");
                Files.write(shot, page.screenshot());
                assertTrue(Files.size(shot) > 10_000);
            }
        }
    }
}
