package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import dev.warren.tasklets.TaskletScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ./http_server} as a process, driven by curl, raw sockets and our client; then stopped by signals. */
class HttpDemoEndToEndTest {
    private static DemoProcess server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        server = DemoProcess.start("http_server", "0");
        port = Integer.parseInt(server.await("listening on http://127.0.0.1:(\\d+)/", 30));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Runs curl with {@code args}; returns stdout, with stderr appended after a marker line. */
    static String curl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new AssertionError("curl is needed by this test (.ci/run installs it): " + e.getMessage(), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl did not end");
        assertEquals(0, p.exitValue(), "curl " + cmd + " failed: " + new String(err, StandardCharsets.UTF_8));
        return out + "\n--- stderr ---\n" + new String(err, StandardCharsets.UTF_8);
    }

    @Test
    void curlGetsTheCannedPage() throws Exception {
        String out = curl(null, "-i", url("/"));
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.contains("Content-Type: text/html; charset=utf-8\r\n"), out);
        assertTrue(out.contains("<h1>Hello from Warren</h1>"), out);
        assertTrue(out.matches("(?s).*Date: \\w{3}, \\d{2} \\w{3} \\d{4} [\\d:]{8} GMT\r\n.*"), out);
    }

    @Test
    void curlReusesTheConnectionForTwoUrls() throws Exception {
        String out = curl(null, "-v", url("/hello/first"), url("/hello/second"));
        assertTrue(out.startsWith("Hello, first!\nHello, second!\n"), out);
        assertTrue(out.matches("(?s).*(?i:re-?using existing).*"), "curl must reuse the connection:\n" + out);
    }

    @Test
    void curlChunkedUploadIsEchoed() throws Exception {
        String body = "line one\nline two\n".repeat(500);
        String out = curl(
                body,
                "-H",
                "Transfer-Encoding: chunked",
                "-H",
                "Content-Type: text/x-test",
                "--data-binary",
                "@-",
                url("/echo"));
        assertTrue(out.startsWith(body + "\n--- stderr ---"), out.substring(0, Math.min(200, out.length())));
    }

    @Test
    void curlHeadHasTheHeadersButNoBody() throws Exception {
        String out = curl(null, "-I", url("/hello/head"));
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.contains("Content-Length: 13\r\n"), out);
        assertTrue(out.contains("\r\n\r\n\n--- stderr ---"), "no body after the head: " + out);
    }

    @Test
    void curlReadsAChunkedStream() throws Exception {
        String out = curl(null, "-i", url("/stream?n=3"));
        assertTrue(out.contains("Transfer-Encoding: chunked\r\n"), out);
        assertTrue(out.contains("\r\n\r\nchunk 1 of 3\nchunk 2 of 3\nchunk 3 of 3\n"), out);
    }

    @Test
    void manySleepingRequestsAtOnce() throws Exception {
        int n = 1000;
        AtomicLong ok = new AtomicLong();
        try (HttpClient client = HttpClient.builder().maxIdlePerHost(n).build();
                var scope = TaskletScope.failFast("sleepers")
                        .deadline(Duration.ofSeconds(60))
                        .open()) {
            for (int i = 0; i < n; i++) {
                scope.fork("sleeper " + i, () -> {
                    ClientResponse r = client.get("127.0.0.1", port, "/sleep?ms=500");
                    assertEquals("slept 500 ms\n", r.bodyString());
                    ok.incrementAndGet();
                });
            }
            scope.join();
        }
        assertEquals(n, ok.get());
    }

    /** Bad input against the running demo: the status, then the server closes; it serves on afterwards. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "400|GET / HTTP/1.1\r\n\r\n",
                "400|GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n",
                "400|POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
                "400|POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
                "400|POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
                "413|POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999\r\n\r\n",
                "414|GET /LONG HTTP/1.1\r\nHost: a\r\n\r\n",
                "431|GET / HTTP/1.1\r\nHost: a\r\nX-Big: BIG\r\n\r\n",
                "501|BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
                "501|POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: br\r\n\r\n",
                "505|GET / HTTP/3.0\r\nHost: a\r\n\r\n",
            })
    void rawBadRequestsGetTheirStatus(String spec) throws Exception {
        int bar = spec.indexOf('|');
        String expected = spec.substring(0, bar);
        String raw = spec.substring(bar + 1)
                .replace("/LONG", "/" + "a".repeat(10_000))
                .replace("BIG", "b".repeat(20_000));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // until the server closes
            assertTrue(answer.startsWith("HTTP/1.1 " + expected + " "), answer);
            assertTrue(answer.contains("Connection: close\r\n"), answer);
        }
        assertTrue(curl(null, url("/hello/still-up")).startsWith("Hello, still-up!"));
    }

    @Test
    void aStalledRequestGets408() throws Exception {
        // the demo keeps the default 10 s header timeout: send half a head and wait for the answer
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalUnderLoadStopsTheServerCleanly(String signal) throws Exception {
        try (DemoProcess busy = DemoProcess.start("http_server", "0")) {
            int busyPort = Integer.parseInt(busy.await("listening on http://127.0.0.1:(\\d+)/", 30));
            int clients = 50;
            CountDownLatch loaded = new CountDownLatch(clients);
            AtomicLong answered = new AtomicLong();
            AtomicLong bad = new AtomicLong();
            try (var scope = TaskletScope.supervise("load").open()) {
                for (int i = 0; i < clients; i++) {
                    scope.fork("load " + i, () -> {
                        try (HttpClient client = HttpClient.builder().build()) {
                            for (int k = 0; ; k++) {
                                ClientResponse r = client.get("127.0.0.1", busyPort, "/sleep?ms=20");
                                if (r.status() != 200) {
                                    bad.incrementAndGet();
                                }
                                answered.incrementAndGet();
                                if (k == 0) {
                                    loaded.countDown();
                                }
                            }
                        } catch (IOException stopped) {
                            // the server is gone: expected once it stopped
                        }
                    });
                }
                assertTrue(loaded.await(30, TimeUnit.SECONDS));
                busy.signal(signal);
                assertTrue(busy.process.waitFor(20, TimeUnit.SECONDS), "the server did not stop");
                scope.join();
            }
            assertEquals(0, busy.process.exitValue(), busy.output() + busy.stderr.get());
            busy.await("stopped in \\d+ ms; (\\d+) requests served", 5);
            assertEquals(0, bad.get());
            assertTrue(answered.get() >= clients);
            assertTrue(!busy.stderr.get().contains("Exception"), busy.stderr.get());
        }
    }
}
