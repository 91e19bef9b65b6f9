package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** {@code -Dwarren.metrics=false} leaves Warren's own series out; the server and its reports work as before. */
class MetricsSwitchTest {

    @Test
    void libraryMetricsOffLeavesOnlyReports() throws Exception {
        try (DemoProcess server =
                DemoProcess.startWithJvmOption("-Dwarren.metrics=false", "http_server", "0", "--admin", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            String admin = server.awaitStderr("admin server and dashboard on http://127\\.0\\.0\\.1:(\\d+)/", 30);
            assertEquals("Hello, off!\n", PrometheusScrapeTest.body("http://127.0.0.1:" + port + "/hello/off"));
            String metrics = PrometheusScrapeTest.body("http://127.0.0.1:" + admin + "/metrics");
            assertFalse(metrics.contains("warren_"), "no library series when they are off:\n" + metrics);
            var capa = JsonParser.parseString(PrometheusScrapeTest.body("http://127.0.0.1:" + admin + "/capa.json"))
                    .getAsJsonObject();
            assertFalse(capa.get("library_metrics").getAsBoolean());
            String sockets = PrometheusScrapeTest.body("http://127.0.0.1:" + admin + "/sockets.json");
            assertTrue(sockets.contains("\"accepted\":1,"), "the sockets report still counts: " + sockets);
        }
    }
}
