package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demos no other end-to-end test runs, as processes the way a user starts them: {@code ./http_client}
 * in both modes against {@code ./http_server}, {@code ./tasklets_demo tree}, {@code ./hiveparser
 * --generate}, and hiveparser's terminal dashboard rendered in a pseudo-terminal ({@code script}).
 */
class DemosEndToEndTest {
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

    /** Runs a demo to its end; returns its exit code, with its output in {@code demo.output()}. */
    private static int runToEnd(DemoProcess demo) throws InterruptedException {
        assertTrue(demo.process.waitFor(120, TimeUnit.SECONDS), "the demo did not end; output:\n" + demo.output());
        demo.stderrAfterExit();
        return demo.process.exitValue();
    }

    @Test
    void httpClientFetchesOnePageAndPrintsStatusHeadersAndBody() throws Exception {
        try (DemoProcess client = DemoProcess.start("http_client", "127.0.0.1", Integer.toString(port), "/hello/you")) {
            assertEquals(0, runToEnd(client), client.stderr.get());
            String out = client.output();
            assertTrue(out.startsWith("HTTP/1.1 200 OK\n"), out);
            assertTrue(out.toLowerCase(java.util.Locale.ROOT).contains("content-length: 12\n"), out);
            assertTrue(out.endsWith("\n\nHello, you!\n"), out);
        }
    }

    @Test
    void httpClientLoadRunCountsEveryRequestAndReportsLatencies() throws Exception {
        try (DemoProcess client = DemoProcess.start(
                "http_client", "-n", "3000", "-c", "8", "127.0.0.1", Integer.toString(port), "/hello/load")) {
            assertEquals(0, runToEnd(client), client.output() + client.stderr.get());
            String out = client.output();
            assertTrue(
                    out.contains("3000 requests over 8 keep-alive connections to http://127.0.0.1:" + port
                            + "/hello/load in "),
                    out);
            assertTrue(Pattern.compile("(?m)^requests/s: \\d+$").matcher(out).find(), out);
            assertTrue(
                    Pattern.compile("(?m)^latency ms: p50 [\\d.]+  p90 [\\d.]+  p99 [\\d.]+  max [\\d.]+$")
                            .matcher(out)
                            .find(),
                    out);
            assertTrue(out.contains("\nerrors: 0\n"), out);
        }
    }

    @Test
    void httpClientToAPortWhereNothingListensFailsWithExit1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (DemoProcess client = DemoProcess.start("http_client", "127.0.0.1", Integer.toString(closed))) {
            assertEquals(1, runToEnd(client));
            assertTrue(
                    client.stderr.get().contains("http_client: GET http://127.0.0.1:" + closed + "/ failed: "),
                    client.stderr.get());
        }
        try (DemoProcess client = DemoProcess.start("http_client", "-n", "10", "127.0.0.1", "80")) {
            assertEquals(2, runToEnd(client));
            assertTrue(client.stderr.get().contains("-n and -c go together"), client.stderr.get());
        }
    }

    @Test
    void taskletsDemoTreePrintsTheLiveTreeEverySecondAndAnEmptyOneAfterClose() throws Exception {
        try (DemoProcess demo = DemoProcess.start("tasklets_demo", "tree", "--seconds", "2")) {
            assertEquals(0, runToEnd(demo), demo.stderr.get());
            String out = demo.output();
            assertTrue(out.contains("--- live tasklets after 1 s ---\n"), out);
            assertTrue(out.contains("--- live tasklets after 2 s ---\n"), out);
            String live = out.substring(0, out.indexOf("--- after close ---"));
            assertTrue(live.contains("scope demo-server [supervise, "), live);
            assertTrue(
                    Pattern.compile("#\\d+ acceptor RUNNING \\d+ ms")
                            .matcher(live)
                            .find(),
                    live);
            assertTrue(
                    Pattern.compile("scope request-1\\.\\d \\[fail-fast, ")
                            .matcher(live)
                            .find(),
                    live);
            assertTrue(live.contains("waiting on receive on channel 'conn-1-requests'"), live);
            String after = out.substring(out.indexOf("--- after close ---"));
            assertTrue(!after.contains("demo-server") && !after.contains("acceptor"), after);
        }
    }

    @Test
    void hiveparserGenerateCountsWhatItSent() throws Exception {
        try (DemoProcess demo = DemoProcess.start(
                "hiveparser", "--port", "0", "--generate", "2000", "--keys", "20", "--duration", "2s")) {
            assertEquals(0, runToEnd(demo), demo.stderr.get());
            String out = demo.output();
            assertTrue(
                    Pattern.compile("(?m)^t=1s events=\\d+ rate=\\d+/s keys=\\d+ ")
                            .matcher(out)
                            .find(),
                    out);
            Matcher m = Pattern.compile("hiveparser totals: received=(\\d+) parse_errors=0 late=0 future=0"
                            + " dropped=0 kernel_drops=(\\d+) windows=(\\d+) datagrams=\\d+ generated=(\\d+)")
                    .matcher(out);
            assertTrue(m.find(), out);
            long received = Long.parseLong(m.group(1));
            long kernelDrops = Long.parseLong(m.group(2));
            long generated = Long.parseLong(m.group(4));
            assertTrue(generated >= 2000, "two seconds at 2,000 lines/s: " + out);
            if (kernelDrops == 0) {
                assertEquals(generated, received, out);
            } else {
                assertTrue(received < generated, out);
            }
            assertTrue(Long.parseLong(m.group(3)) >= 20, "every key's windows were flushed: " + out);
        }
    }

    @Test
    void hiveparserDashboardRendersInATerminal() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("script", "-qfec"));
        cmd.add(String.join(" ", launcherCommand("hiveparser", "--port 0 --generate 1000 --keys 12 --duration 3s")));
        cmd.add("/dev/null");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("script (util-linux) is needed by this test: " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String screen = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), screen);
        assertTrue(screen.contains("\u001b[?1049h"), "the dashboard uses the alternate screen: " + screen);
        assertTrue(screen.indexOf("\u001b[?1049l") > screen.lastIndexOf("\u001b[H"), "and leaves it at the end");
        assertTrue(
                screen.indexOf("hiveparser totals:") > screen.indexOf("\u001b[?1049l"),
                "the totals stay on the normal screen: " + screen);
        assertTrue(screen.contains("sliding 5s/1s"), "durations as people write them: " + screen);
        assertTrue(screen.contains("events/s"), screen);
        assertTrue(screen.contains("top keys"), screen);
        // The last frame before the totals lists the ten busiest of the twelve keys, one row each.
        String last = screen.substring(screen.lastIndexOf("\u001b[H"), screen.indexOf("\u001b[?1049l"));
        Matcher row = Pattern.compile("(?m)^  k(\\d+) +[\\d.]+ +\\d+ +[\\d.]+ +[\\d.]+ +[\\d.]+\u001b\\[K\r?$")
                .matcher(last);
        int rows = 0;
        while (row.find()) {
            assertTrue(Integer.parseInt(row.group(1)) < 12, last);
            rows++;
        }
        assertEquals(10, rows, last);
        assertTrue(screen.contains("hiveparser totals: received="), screen);
    }

    /** The command line of a demo as its launcher runs it, for a shell. */
    private static List<String> launcherCommand(String demo, String args) {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Djdk.pollerMode=1",
                "-cp",
                DemoProcess.ROOT.resolve("demos/target/warren-demos.jar") + ":"
                        + DemoProcess.ROOT.resolve("demos/target/lib") + "/'*'",
                "dev.warren.demos.Main",
                demo));
        cmd.add(args);
        return cmd;
    }
}
