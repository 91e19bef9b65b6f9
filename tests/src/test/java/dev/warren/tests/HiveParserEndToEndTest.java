package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.frame.FrameFormat;
import java.io.File;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hiveparser --jsonl FILE} as a separate process: it receives N UDP lines over K keys, gets
 * SIGTERM, exits 0, and the per-key totals of its JSON lines equal what was sent.
 */
class HiveParserEndToEndTest {
    private static final Pattern PORT = Pattern.compile("listening on UDP port (\\d+)");
    private static final Pattern TCP_PORT = Pattern.compile("and TCP port (\\d+)");
    private static final Pattern EVENTS = Pattern.compile("events=(\\d+)");
    private static final Pattern JSON = Pattern.compile(
            "\\{\"key\":\"([^\"]+)\",\"start\":(\\d+),\"end\":(\\d+),\"count\":(\\d+),\"sum\":([-0-9.E]+),"
                    + "\"min\":([-0-9.E]+),\"max\":([-0-9.E]+)}");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("demos"))) {
            p = p.getParent();
        }
        assertTrue(p != null, "no demos/ module above " + Path.of("").toAbsolutePath());
        return p;
    }

    @Test
    void sigtermFlushesWindowsWhoseTotalsMatchWhatWasSent() throws Exception {
        Path demos = root().resolve("demos/target");
        assertTrue(
                Files.isRegularFile(demos.resolve("warren-demos.jar")),
                "build the demos first (mvn package or verify): no " + demos.resolve("warren-demos.jar"));
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path jsonl = dir.resolve("windows.jsonl");
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(
                        java,
                        "-Djdk.pollerMode=1",
                        "-cp",
                        demos.resolve("warren-demos.jar") + File.pathSeparator + demos.resolve("lib") + File.separator
                                + "*",
                        "dev.warren.demos.Main",
                        "hiveparser",
                        "--port",
                        "0",
                        "--tcp",
                        "0",
                        "--shards",
                        "2",
                        "--window",
                        "2s",
                        "--slide",
                        "1s",
                        "--jsonl",
                        jsonl.toString())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            String started = await().atMost(WAIT)
                    .until(() -> Files.readString(stdout), t -> t.contains("listening") || !p.isAlive());
            assertTrue(p.isAlive(), () -> "hiveparser died: " + read(stderr));
            int port = Integer.parseInt(match(PORT, started));
            int tcpPort = Integer.parseInt(match(TCP_PORT, started));
            int n = 20_000;
            int keys = 50;
            Map<String, Long> counts = new HashMap<>();
            Map<String, Long> sums = new HashMap<>();
            try (DatagramSocket tx = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                long start = System.nanoTime();
                int i = 0;
                while (i < n) {
                    // Paced at about 10,000 lines/s: a rate the kernel keeps up with on a busy machine.
                    long due = Math.min(n, (System.nanoTime() - start) / 100_000 + 1);
                    if (i >= due) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        continue;
                    }
                    StringBuilder datagram = new StringBuilder();
                    int lines = i % 10 == 0 ? 3 : 1; // sometimes several lines in one datagram
                    for (int l = 0; l < lines && i < n; l++, i++) {
                        String key = "key" + (i % keys);
                        long value = i % 1000;
                        datagram.append(key).append(' ').append(value).append('\n');
                        counts.merge(key, 1L, Long::sum);
                        sums.merge(key, value, Long::sum);
                    }
                    send(tx, to, datagram.toString());
                }
                send(tx, to, ""); // three parse errors: counted, not fatal
                send(tx, to, "key1 not-a-number");
                send(tx, to, "key2 " + "9".repeat(9000));
            }
            // And 500 BuffStreams frames over TCP, one line each, then a bad frame that closes that connection.
            int framed = 500;
            FrameFormat format = FrameFormat.buffStreams(4096);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), tcpPort)) {
                OutputStream o = s.getOutputStream();
                for (int j = 0; j < framed; j++) {
                    String key = "tcp" + (j % 5);
                    byte[] payload = (key + " " + j).getBytes(StandardCharsets.UTF_8);
                    ByteBuffer frame = ByteBuffer.allocate(format.frameSize(payload.length));
                    format.encode(payload, frame);
                    o.write(frame.array());
                    counts.merge(key, 1L, Long::sum);
                    sums.merge(key, (long) j, Long::sum);
                }
                o.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // no valid header
                o.flush();
                assertEquals(-1, s.getInputStream().read()); // the server closed this connection
            }
            long total = (long) n + framed;
            // Everything arrived: the once-a-second summary says so.
            await().atMost(WAIT).until(() -> lastEvents(Files.readString(stdout)) == total || !p.isAlive());
            assertTrue(p.isAlive(), () -> "hiveparser died: " + read(stderr));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "hiveparser did not stop on SIGTERM");
            assertEquals(0, p.exitValue(), () -> read(stdout) + read(stderr));
            String out = read(stdout);
            assertTrue(
                    out.contains("hiveparser totals: received=" + total + " parse_errors=4 late=0 future=0 dropped=0"
                            + " kernel_drops="),
                    out);
            Map<String, Long> gotCounts = new HashMap<>();
            Map<String, Double> gotSums = new HashMap<>();
            List<String> lines = Files.readAllLines(jsonl);
            for (String line : lines) {
                Matcher m = JSON.matcher(line);
                assertTrue(m.matches(), line);
                assertEquals(2000, Long.parseLong(m.group(3)) - Long.parseLong(m.group(2)), line);
                gotCounts.merge(m.group(1), Long.parseLong(m.group(4)), Long::sum);
                gotSums.merge(m.group(1), Double.parseDouble(m.group(5)), Double::sum);
            }
            // Windows of 2 s sliding by 1 s: every event is in exactly two of them, all flushed at SIGTERM.
            Map<String, Long> twiceCounts = new HashMap<>();
            counts.forEach((k, c) -> twiceCounts.put(k, 2 * c));
            assertEquals(twiceCounts, gotCounts);
            assertEquals(sums.keySet(), gotSums.keySet());
            sums.forEach((k, s) -> assertEquals(2.0 * s, gotSums.get(k), 1e-6, k));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void badArgumentsPrintTheUsageAndExitNonZero() throws Exception {
        Path demos = root().resolve("demos/target");
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(
                        java,
                        "-Djdk.pollerMode=1",
                        "-cp",
                        demos.resolve("warren-demos.jar") + File.pathSeparator + demos.resolve("lib") + File.separator
                                + "*",
                        "dev.warren.demos.Main",
                        "hiveparser",
                        "--window",
                        "5x")
                .redirectErrorStream(true)
                .redirectOutput(err.toFile())
                .start();
        assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        String text = read(err);
        assertTrue(text.contains("--window must be a duration like 500ms, 5s, 2m or 1h, was '5x'"), text);
        assertTrue(text.contains("usage: hiveparser"), text);
    }

    private static String match(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static long lastEvents(String text) {
        Matcher m = EVENTS.matcher(text);
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(" + p + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void send(DatagramSocket tx, InetSocketAddress to, String payload) throws Exception {
        byte[] b = payload.getBytes(StandardCharsets.UTF_8);
        tx.send(new DatagramPacket(b, b.length, to));
    }
}
