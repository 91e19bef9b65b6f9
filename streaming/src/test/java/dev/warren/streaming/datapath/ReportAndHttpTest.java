package dev.warren.streaming.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.HttpServer;
import dev.warren.tasklets.observe.Reports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Metadata: per-stage counts and state in the datapaths report and the DOT graph; the HTTP views. */
class ReportAndHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @SuppressWarnings("unchecked")
    void theDatapathsReportHasEveryStagesCountsAndState() throws Exception {
        try (Datapath dp = Datapaths.insert(
                "(gen,count=30,export,name=rp1) > (boundary,capacity=8)" + " > (grep,pattern=1) > (count,name=ones)")) {
            assertTrue(dp.awaitDone(WAIT));
            assertTrue(Reports.names().contains("datapaths"));
            Map<String, Object> report =
                    (Map<String, Object>) Reports.snapshot("datapaths").orElseThrow();
            List<Object> dps = (List<Object>) report.get("datapaths");
            Map<String, Object> mine = (Map<String, Object>) dps.stream()
                    .filter(d -> ((Map<String, Object>) d).get("id").equals(dp.id()))
                    .findFirst()
                    .orElseThrow();
            List<Map<String, Object>> stages = (List<Map<String, Object>>) mine.get("stages");
            assertEquals(4, stages.size());
            Map<String, Object> ones = stages.get(3);
            assertEquals("ones", ones.get("label"));
            assertEquals(12L, ones.get("in")); // 1, 10-19, 21
            assertEquals(Map.of("blocks", 12L, "bytes", ones.get("bytes_in")), ones.get("state"));
            assertEquals(Map.of("0", 18L, "1", 12L), stages.get(2).get("out"));
            assertEquals(8, stages.get(1).get("capacity"));
            Map<String, Object> stream = ((List<Map<String, Object>>) mine.get("streams")).get(0);
            assertEquals("rp1", stream.get("name"));
            assertEquals(30L, stream.get("blocks"));
            String json = Reports.json("datapaths").orElseThrow();
            assertTrue(json.contains("\"request\":\"(gen,count=30,export,name=rp1)"), json);
            assertTrue(((Map<String, String>) report.get("stage_classes")).containsKey("compress"));
        }
    }

    @Test
    void theDotGraphShowsStagesEdgesRangesAndLiveCounts() throws Exception {
        try (Datapath dp = Datapaths.insert(
                "(gen,count=10) > (classify,1=1) >> ( (count,name=a) | (boundary) > (count,export,name=dot2) )")) {
            assertTrue(dp.awaitDone(WAIT));
            String dot = dp.dot();
            assertTrue(dot.startsWith("digraph \"datapath " + dp.id() + "\" {"), dot);
            assertTrue(dot.contains("s0 -> s1;"), dot);
            assertTrue(dot.contains("s1 -> s2 [label=\"[1]\"];"), dot);
            assertTrue(dot.contains("s1 -> s3 [label=\"[2]\"];"), dot);
            assertTrue(dot.contains("s3 -> s4 [style=dashed];"), dot);
            assertTrue(dot.contains("a (count)\\n#2\\nin 2 (7 B)"), dot); // "1 x" and "10 x"
            assertTrue(dot.contains("x4 [label=\"dot2\\n0 blocks\", shape=cylinder"), dot);
            assertTrue(dot.contains("label=\"(gen,count=10) > (classify,1=1) >> "), dot);
        }
    }

    @Test
    void streamsAreServedOverHttpChunkedWithFollow() throws Exception {
        try (HttpServer server = HttpServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .handler(DatapathsHttp.router())
                        .start();
                HttpClient client = HttpClient.builder().build()) {
            int port = server.port();
            try (Datapath dp = Datapaths.insert("(gen,count=3,export,name=h1) > (count)")) {
                assertTrue(dp.awaitDone(WAIT));
                ClientResponse r = client.get("127.0.0.1", port, "/streams/h1");
                assertEquals(200, r.status());
                assertEquals("chunked", r.header("Transfer-Encoding"));
                assertEquals("1 x2 x3 x", r.bodyString());
                ClientResponse json = client.get("127.0.0.1", port, "/datapaths.json");
                assertTrue(json.bodyString().contains("\"request\":\"(gen,count=3,export,name=h1) > (count)\""));
                ClientResponse dot = client.get("127.0.0.1", port, "/datapaths/" + dp.id() + ".dot");
                assertTrue(dot.bodyString().startsWith("digraph"));
                assertEquals(
                        404,
                        client.get("127.0.0.1", port, "/datapaths/999999.dot").status());
            }
            assertEquals(404, client.get("127.0.0.1", port, "/streams/h1").status(), "gone with its datapath");
            // follow: the response goes on while the stream does, and ends with it
            try (Datapath dp = Datapaths.insert("(wakeup,interval=30ms,count=4,export,name=h2) > (count)")) {
                ClientResponse r = client.get("127.0.0.1", port, "/streams/h2?follow=1");
                assertEquals("wake up!".repeat(4), r.bodyString());
                assertTrue(dp.isDone());
            }
        }
    }

    /**
     * A follower gets a slow, steady stream as it comes: a block every 100 ms never leaves the reader idle
     * for a whole poll, so flushing only on an idle poll held it in the buffers until 4 KiB had gathered
     * (about 100 s of this stream).
     */
    @Test
    void aFollowerGetsASteadyTrickleAsItComes() throws Exception {
        try (HttpServer server = HttpServer.builder()
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .handler(DatapathsHttp.router())
                        .start();
                Datapath dp = Datapaths.insert("(gen,interval=100ms,payload=t,export,name=h3) > (count)");
                Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream()
                    .write("GET /streams/h3?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            // Blocks 1 to 3 (the ring's first ones, then new ones as they come) in well under the 100 s a
            // 4 KiB buffer takes to fill; the reading runs apart so that a stuck stream fails at WAIT.
            CompletableFuture<String> three = CompletableFuture.supplyAsync(() -> {
                byte[] b = new byte[256];
                try {
                    for (int n; (n = in.read(b)) > 0; ) {
                        got.write(b, 0, n);
                        String text = got.toString(StandardCharsets.US_ASCII);
                        if (text.contains("3 t")) {
                            return text;
                        }
                    }
                    return "ended early: " + got.toString(StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String text = three.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(text.startsWith("HTTP/1.1 200 "), text);
            assertTrue(text.contains("Transfer-Encoding: chunked\r\n"), text);
            assertTrue(text.contains("1 t") && text.contains("2 t") && text.contains("3 t"), text);
            assertFalse(dp.isDone(), "the stream goes on: this is following, not the end of the body");
        }
    }

    @Test
    void theReportIsRegisteredOnlyWhileDatapathsRun() throws Exception {
        try (Datapath dp = Datapaths.insert("(gen,count=1) > (count)")) {
            assertTrue(Reports.names().contains("datapaths"));
            assertTrue(dp.awaitDone(WAIT));
        }
        if (Datapaths.list().isEmpty()) {
            assertFalse(Reports.names().contains("datapaths"));
        }
    }
}
