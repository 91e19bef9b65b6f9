package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's examples are real code: they run here, and README.md shows them verbatim. */
class ReadmeExampleTest {

    @Test
    void theScopeExampleRuns() throws Exception {
        assertEquals("user-42 has 0 items", ReadmeExample.checkout(42));
    }

    @Test
    void theChannelExampleRuns() throws Exception {
        long n = 10_000;
        assertEquals(n * (n + 1) * (2 * n + 1) / 6, ReadmeExample.sumOfSquares((int) n));
    }

    @Test
    void theStreamExampleCountsEveryGoodLine() throws Exception {
        assertEquals(
                Map.of("a", 2L, "b", 1L),
                ReadmeExample.countsPerKey(List.of("a 1", "b 2", "a 3 1700000000000", "", "c not-a-number")));
    }

    @Test
    void theLanesExampleKeepsTheLaneBehindOpen() throws Exception {
        List<dev.warren.streaming.KeyValue> device1 = new java.util.ArrayList<>();
        List<dev.warren.streaming.KeyValue> device2 = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            device1.add(new dev.warren.streaming.KeyValue("a", 1, 100_000 + i * 100L));
            device2.add(new dev.warren.streaming.KeyValue("b", 1, 10_000 + i * 100L));
        }
        Map<Object, String> open = ReadmeExample.openWindowsOfTwoDevices(device1, device2);
        // "b" is 90 s behind "a": with one watermark it would have been late, and have no open window
        assertEquals(java.util.Set.of("a", "b"), open.keySet());
        assertTrue(open.get("b").startsWith("wp1 1000\n10 10 "), open.get("b"));
    }

    @Test
    void theDatapathExampleCompressesEachBlock() throws Exception {
        byte[] gz = ReadmeExample.compressedGreetings();
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            assertEquals(
                    "1 hello2 hello3 hello", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void theHttpExampleServes() throws Exception {
        try (HttpServer server = ReadmeExample.helloServer(0);
                HttpClient client = HttpClient.builder().build()) {
            assertEquals(
                    "hello you\n",
                    client.get("127.0.0.1", server.port(), "/hello/you").bodyString());
            ClientResponse echo = client.request("POST", "127.0.0.1", server.port(), "/echo")
                    .header("Content-Type", "text/plain")
                    .body("ping")
                    .send();
            assertEquals("ping", echo.bodyString());
            assertEquals("text/plain", echo.header("Content-Type"));
            assertEquals(404, client.get("127.0.0.1", server.port(), "/nope").status());
        }
    }

    @Test
    void theConfigExampleBuildsTheServerTheFileDescribes(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.conf");
        Files.writeString(
                file, "warren.http-servers.web { port = 0, bind-address = \"127.0.0.1\", idle-timeout = 30s }\n");
        dev.warren.net.http.Router router = dev.warren.net.http.Router.builder()
                .get("/", req -> dev.warren.net.http.Response.ok("configured"))
                .build();
        try (HttpServer server = ReadmeExample.configuredServer(file, router);
                HttpClient client = HttpClient.builder().build()) {
            assertEquals(
                    "configured", client.get("127.0.0.1", server.port(), "/").bodyString());
        }
    }

    @Test
    void theSiteExampleServesFilesTheApiAndHealth(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "hello file");
        dev.warren.net.http.Router api = dev.warren.net.http.Router.builder()
                .get(
                        "/users/{id}",
                        req -> dev.warren.net.http.Response.json(200, "{\"id\":" + req.pathParam("id") + "}"))
                .build();
        try (HttpServer server = ReadmeExample.site(0, dir, api);
                HttpClient client = HttpClient.builder().build()) {
            assertEquals(
                    "hello file",
                    client.get("127.0.0.1", server.port(), "/static/hello.txt").bodyString());
            assertEquals(
                    "{\"id\":7}",
                    client.get("127.0.0.1", server.port(), "/api/users/7").bodyString());
            ClientResponse health = client.get("127.0.0.1", server.port(), "/health");
            assertEquals("application/json", health.header("Content-Type"));
            assertEquals("{\"ok\":true}", health.bodyString());
        }
    }

    @Test
    void theOperationsExampleLogsUnderItsHeartbeat() throws Exception {
        assertEquals("imported c", ReadmeExample.importWithAWatchdog(List.of("a", "b", "c")));
    }

    @Test
    void theWebSocketExampleEchoes() throws Exception {
        assertEquals("hello", ReadmeExample.echoOverWebSocket(0));
        assertEquals("compressed: 14000", ReadmeExample.compressedFeed(0));
    }

    @Test
    void theTlsExampleServesHttps() throws Exception {
        dev.warren.net.TestCerts certs = dev.warren.net.TestCerts.get();
        assertEquals("hello tls", ReadmeExample.overTls(certs.serverChain, certs.serverKey, certs.ca));
    }

    @Test
    void readmeShowsTheExamplesVerbatim() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("tests/src/test/java/dev/warren/tests/ReadmeExample.java"));
        Matcher m = Pattern.compile("// README:begin (\\w+)\\n(.*?)    // README:end \\1", Pattern.DOTALL)
                .matcher(source);
        int found = 0;
        while (m.find()) {
            found++;
            String snippet = m.group(2).stripTrailing().stripIndent();
            assertTrue(
                    readme.contains(snippet),
                    "README.md must show the '" + m.group(1) + "' example exactly as in ReadmeExample.java:\n"
                            + snippet);
        }
        assertEquals(12, found, "README markers in ReadmeExample.java");
    }
}
