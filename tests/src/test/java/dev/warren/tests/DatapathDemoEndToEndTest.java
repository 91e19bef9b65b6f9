package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./datapath} as a separate process: the seed's example fed over TCP and read back through
 * {@code --read}, decompressed byte for byte; a datapath that ends by itself; a bad request.
 */
class DatapathDemoEndToEndTest {
    private static final Pattern PORT = Pattern.compile("#0 tcpsock listening on port (\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Process start(Path stdout, Path stderr, String... args) throws IOException {
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
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
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

    /** --admin is refused (Warren has no admin server yet), and so is an unknown option. */
    @Test
    void adminAndUnknownOptionsAreRefused() throws Exception {
        for (String[] args : List.of(
                new String[] {"(gen)", "--admin", "8080"},
                new String[] {"(gen)", "--reed", "x"},
                new String[] {"(gen)", "--read"},
                new String[] {})) {
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
