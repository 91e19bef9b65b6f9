package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./datapath} as a separate process: the seed's example fed over TCP and read back through
 * {@code --read}, decompressed byte for byte; a datapath that ends by itself; a bad request; the datapath
 * views served by the admin server ({@code --admin}).
 */
class DatapathDemoEndToEndTest {
    private static final Pattern PORT = Pattern.compile("#0 tcpsock listening on port (\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process start(Path stdout, Path stderr, String... args) throws IOException {
        return start(Map.of(), stdout, stderr, args);
    }

    private Process start(Map<String, String> env, Path stdout, Path stderr, String... args) throws IOException {
        Path demos = DemoProcess.ROOT.resolve("demos/target");
        assertTrue(
                Files.isRegularFile(demos.resolve("warren-demos.jar")),
                "build the demos first (mvn package or verify): no " + demos.resolve("warren-demos.jar"));
        String java = ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Djdk.pollerMode=1",
                "-cp",
                demos.resolve("warren-demos.jar") + File.pathSeparator + demos.resolve("lib") + File.separator + "*",
                "dev.warren.demos.Main",
                "datapath"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("WARREN_ADMIN_TOKEN");
        pb.environment().putAll(env);
        return pb.directory(dir.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
    }

    /**
     * The seed's example as written, with port 0 for a free one (the literal 5000 may be taken on a test
     * machine): what is sent over TCP comes out of {@code --read mybuf} on stdout as gzip members that
     * decompress to exactly the bytes sent; SIGTERM removes the datapath, prints the totals and exits 0.
     */
    @Test
    void theSeedsExampleFedOverTcpReadsBackDecompressedByteForByte() throws Exception {
        Path stdout = dir.resolve("out.gz");
        Path stderr = dir.resolve("err.txt");
        Process p = start(stdout, stderr, "(tcpsock,expression=0) > (compress,export,name=mybuf)", "--read", "mybuf");
        try {
            String started = await().atMost(WAIT)
                    .until(() -> Files.readString(stderr), t -> PORT.matcher(t).find() || !p.isAlive());
            assertTrue(p.isAlive(), () -> "datapath died: " + started);
            Matcher m = PORT.matcher(started);
            assertTrue(m.find());
            int port = Integer.parseInt(m.group(1));

            // Text and random bytes, in writes of uneven sizes: 2 MB in all.
            Random r = new Random(16);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream o = s.getOutputStream();
                while (sent.size() < 2_000_000) {
                    byte[] chunk = new byte[1 + r.nextInt(100_000)];
                    if (r.nextBoolean()) {
                        r.nextBytes(chunk);
                    } else {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = (byte) ("datapath line " + (i / 20) + "\n").charAt(i % 20 % 14);
                        }
                    }
                    o.write(chunk);
                    sent.write(chunk);
                }
            }
            byte[] expected = sent.toByteArray();
            // Everything went through: stdout decompresses to as many bytes as were sent (a member still
            // being written at the end of the file fails to decompress until it is whole).
            await().atMost(WAIT)
                    .ignoreExceptions()
                    .until(() -> gunzip(Files.readAllBytes(stdout)).length == expected.length || !p.isAlive());
            assertTrue(p.isAlive(), () -> "datapath died: " + read(stderr));

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "datapath did not stop on SIGTERM");
            String err = read(stderr);
            assertEquals(0, p.exitValue(), err);
            assertArrayEquals(expected, gunzip(Files.readAllBytes(stdout)));
            assertTrue(err.contains("datapath 1 removed (closed, every stage closed); totals:"), err);
            assertTrue(err.contains("bytes_in=" + expected.length), err);
            assertTrue(
                    err.contains("--read mybuf: " + Files.size(stdout) + " bytes to stdout, 0 overruns"),
                    "the totals count every byte written to stdout:\n" + err);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A datapath whose source ends stops by itself with its totals, and --dot prints its graph. */
    @Test
    void aDatapathWhoseSourcesEndStopsByItselfWithTotalsAndItsGraph() throws Exception {
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process p = start(stdout, stderr, "(gen,count=1000) > (grep,pattern=7) > (count)", "--dot");
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the datapath did not end by itself");
            String out = read(stdout);
            assertEquals(0, p.exitValue(), out + read(stderr));
            // 1..1000 containing a 7: 271 numbers
            assertTrue(out.contains("#2  count          in=271 "), out);
            assertTrue(out.contains("#1  grep           in=1000 "), out);
            assertTrue(out.contains("dropped=729"), out);
            assertTrue(out.contains("digraph \"datapath 1\" {"), out);
            assertTrue(out.contains("s1 -> s2;"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A bad request: the error with a caret under its place on stderr, exit 2, nothing started. */
    @Test
    void aBadRequestPrintsTheCaretErrorAndExits2() throws Exception {
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process p = start(stdout, stderr, "(gen) > (grep,pattern=x > (count)");
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(2, p.exitValue());
            assertEquals("""
                    datapath: expected ',' or ')', found '>' at column 25
                      (gen) > (grep,pattern=x > (count)
                                              ^
                    """, read(stderr));
            assertEquals("", read(stdout));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Unknown or incomplete options: the usage and exit 2; so for a bad --admin port, with its own message. */
    @Test
    void unknownOptionsAreRefused() throws Exception {
        for (String[] args :
                List.of(new String[] {"(gen)", "--reed", "x"}, new String[] {"(gen)", "--read"}, new String[] {})) {
            Path stderr = dir.resolve("err.txt");
            Process p = start(dir.resolve("out.txt"), stderr, args);
            try {
                assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
                String err = read(stderr);
                assertEquals(2, p.exitValue(), err);
                assertTrue(err.contains("usage: ./datapath 'REQUEST'"), err);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void aBadAdminPortIsRefusedNamingIt() throws Exception {
        Path stderr = dir.resolve("err.txt");
        Process p = start(dir.resolve("out.txt"), stderr, "(gen)", "--admin", "http");
        try {
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
            String err = read(stderr);
            assertEquals(2, p.exitValue(), err);
            assertEquals("datapath: --admin PORT must be a number 0..65535, was 'http'\n", err);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * {@code --admin 0}: the admin server serves the datapath views beside its own endpoints. The header
     * names their URLs; {@code /datapaths.json} has the request; {@code /streams/g} is what the ring holds,
     * chunked, and {@code ?follow=1} goes on past it as the blocks come, byte for byte in sequence; the
     * graph, the dashboard, {@code /metrics} and the JSON 404 still answer.
     */
    @Test
    void theAdminServerServesTheDatapathViews() throws Exception {
        Path stdout = dir.resolve("out.txt");
        Path stderr = dir.resolve("err.txt");
        Process p = start(stdout, stderr, "(gen,interval=10ms,payload=hello) > (export,name=g)", "--admin", "0");
        try {
            String base = adminUrl(p, stderr);
            String header = await().atMost(WAIT).until(() -> read(stdout), t -> t.contains(".dot\n") || !p.isAlive());
            assertTrue(header.contains("  " + base + "/streams/g?follow=1\n"), header);
            assertTrue(header.contains("  " + base + "/datapaths.json, " + base + "/datapaths/1.dot\n"), header);

            HttpResponse<String> json = get(base + "/datapaths.json");
            assertEquals(200, json.statusCode(), json.body());
            JsonObject dp = JsonParser.parseString(json.body())
                    .getAsJsonObject()
                    .getAsJsonArray("datapaths")
                    .get(0)
                    .getAsJsonObject();
            assertEquals(1, dp.get("id").getAsLong());
            assertEquals(
                    "(gen,interval=10ms,payload=hello) > (export,name=g)",
                    dp.get("request").getAsString());
            assertEquals("running", dp.get("state").getAsString());

            // what the ring holds now: "1 hello2 hello3 hello..." in sequence, at least two blocks
            await().atMost(WAIT).until(() -> blocks(get(base + "/streams/g").body()) >= 2);
            HttpResponse<String> now = get(base + "/streams/g");
            assertEquals(200, now.statusCode());
            assertEquals(
                    "chunked", now.headers().firstValue("Transfer-Encoding").orElseThrow());
            assertEquals(
                    "application/octet-stream",
                    now.headers().firstValue("Content-Type").orElseThrow());
            long held = blocks(now.body());

            // follow: the ring, then blocks that came after the request, without a gap
            HttpResponse<InputStream> follow = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(base + "/streams/g?follow=1"))
                            .timeout(WAIT)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, follow.statusCode());
            StringBuilder followed = new StringBuilder();
            try (InputStream in = follow.body()) {
                byte[] b = new byte[4096];
                while (!followed.toString().contains((held + 20) + " hello")) {
                    int n = in.read(b);
                    assertTrue(n > 0, () -> "the follow body ended early: " + followed);
                    followed.append(new String(b, 0, n, StandardCharsets.US_ASCII));
                }
            }
            assertTrue(blocks(followed.toString()) >= held + 20, followed::toString);

            HttpResponse<String> dot = get(base + "/datapaths/1.dot");
            assertEquals(200, dot.statusCode());
            assertTrue(dot.body().startsWith("digraph \"datapath 1\" {"), dot.body());
            assertTrue(get(base + "/").body().contains("<title>Warren admin</title>"));
            assertTrue(get(base + "/metrics").body().contains("# TYPE "));
            JsonObject capa =
                    JsonParser.parseString(get(base + "/capa.json").body()).getAsJsonObject();
            assertTrue(capa.has("version"), capa.toString());
            HttpResponse<String> nowhere = get(base + "/nowhere");
            assertEquals(404, nowhere.statusCode());
            assertTrue(
                    JsonParser.parseString(nowhere.body())
                            .getAsJsonObject()
                            .get("error")
                            .getAsString()
                            .contains("/streams/{name}"),
                    nowhere.body());
            assertEquals(404, get(base + "/streams/nosuch").statusCode());

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "datapath did not stop on SIGTERM");
            assertEquals(0, p.exitValue(), read(stderr));
        } finally {
            p.destroyForcibly();
        }
    }

    /** With WARREN_ADMIN_TOKEN set, the datapath views want the bearer token like every data endpoint. */
    @Test
    void theTokenGuardsTheDatapathViews() throws Exception {
        String token = "datapath-admin-token-0123456789";
        Path stderr = dir.resolve("err.txt");
        Process p = start(
                Map.of("WARREN_ADMIN_TOKEN", token),
                dir.resolve("out.txt"),
                stderr,
                "(gen,interval=10ms,payload=hello) > (export,name=g)",
                "--admin",
                "0");
        try {
            String base = adminUrl(p, stderr);
            for (String path : new String[] {"/streams/g", "/datapaths.json", "/datapaths/1.dot", "/capa.json"}) {
                assertEquals(401, get(base + path).statusCode(), path);
                HttpResponse<String> ok = get(base + path, "Authorization", "Bearer " + token);
                assertEquals(200, ok.statusCode(), path + ": " + ok.body());
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static final Pattern ADMIN = Pattern.compile("datapath: admin server and dashboard on (http://[^/]+)/");
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static String adminUrl(Process p, Path stderr) {
        String err = await().atMost(WAIT)
                .until(() -> read(stderr), t -> ADMIN.matcher(t).find() || !p.isAlive());
        assertTrue(p.isAlive(), () -> "datapath died: " + err);
        Matcher m = ADMIN.matcher(err);
        assertTrue(m.find());
        return m.group(1);
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern BLOCK = Pattern.compile("(\\d+) hello");

    /**
     * The number of the last whole block of {@code body}, after checking that it is the gen blocks from 1
     * on, each once, in order (a block cut at the end of a read is left out).
     */
    private static long blocks(String body) {
        Matcher m = BLOCK.matcher(body);
        long expected = 1;
        int end = 0;
        while (m.find()) {
            int at = end;
            assertEquals(at, m.start(), () -> "not a gen block at " + at + ": " + body);
            assertEquals(expected, Long.parseLong(m.group(1)), () -> "out of sequence: " + body);
            expected++;
            end = m.end();
        }
        return expected - 1;
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz), 1 << 16)) {
            return in.readAllBytes();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
