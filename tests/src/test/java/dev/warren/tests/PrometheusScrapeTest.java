package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of {@code ./http_server --admin} is valid for {@code promtool check metrics}, and a real
 * Prometheus server scrapes it: {@code up} is 1 and the request counter has exactly the requests this test
 * made.
 */
class PrometheusScrapeTest {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static String body(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void promtoolAcceptsTheExpositionAndPrometheusScrapesIt(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTool.require("promtool", "prometheus");
        Path prometheus = ExternalTool.require("prometheus", "prometheus");
        try (DemoProcess server = DemoProcess.start("http_server", "0", "--admin", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            String admin = server.awaitStderr("admin server and dashboard on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            int requests = 37;
            for (int i = 0; i < requests; i++) {
                body("http://127.0.0.1:" + port + "/hello/prom" + i);
            }
            String text = body("http://127.0.0.1:" + admin + "/metrics");
            Path metrics = dir.resolve("metrics.txt");
            Files.writeString(metrics, text);
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                    .redirectInput(metrics.toFile())
                    .redirectErrorStream(true)
                    .start();
            String verdict = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(check.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, check.exitValue(), "promtool check metrics:\n" + verdict + "\non:\n" + text);

            int promPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: warren
                        static_configs:
                          - targets: ['127.0.0.1:%s']
                    """.formatted(admin));
            Process prom = new ProcessBuilder(
                            prometheus.toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("prometheus.log").toFile())
                    .start();
            try {
                String api = "http://127.0.0.1:" + promPort + "/api/v1/query?query=";
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> value(body(api + enc("up{job=\"warren\"}"))), v -> v == 1.0);
                String series = "sum(warren_http_requests_total{job=\"warren\",method=\"GET\",status=\"2xx\","
                        + "server=~\"http_server .*\"})";
                double got = await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> value(body(api + enc(series))), v -> v >= requests);
                assertEquals(requests, got, 0.0, "Prometheus sees the requests the test made");
                double buckets = value(body(api
                        + enc("sum(warren_http_request_duration_seconds_count{job=\"warren\","
                                + "server=~\"http_server .*\"})")));
                assertEquals(requests, buckets, 0.0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(
                        "Prometheus did not get there; its log:\n" + Files.readString(dir.resolve("prometheus.log")),
                        e);
            } finally {
                prom.destroy();
                if (!prom.waitFor(20, TimeUnit.SECONDS)) {
                    prom.destroyForcibly();
                }
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The single value of an instant-vector answer of Prometheus's query API; NaN if it has none. */
    static double value(String answer) {
        JsonObject o = JsonParser.parseString(answer).getAsJsonObject();
        assertEquals("success", o.get("status").getAsString(), answer);
        JsonArray result = o.getAsJsonObject("data").getAsJsonArray("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        return Double.parseDouble(
                result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsString());
    }
}
