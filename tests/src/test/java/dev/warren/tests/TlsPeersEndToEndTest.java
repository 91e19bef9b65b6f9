package dev.warren.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.demos.MsgClientDemo;
import dev.warren.demos.MsgServerDemo;
import dev.warren.net.TestCerts;
import dev.warren.net.frame.MessageServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./http_server --tls CERT KEY} as a process, with real TLS peers: curl, {@code openssl s_client}
 * (each protocol version, the certificate verified, ALPN), the JDK's HttpClient, and plaintext and
 * garbage sent to the TLS port, each closed and counted while the server serves the others. Then
 * {@code msg_server --tls} with {@code msg_client --ca}. The certificates are a throwaway CA's ({@link
 * TestCerts}, made with keytool).
 */
class TlsPeersEndToEndTest {
    static final TestCerts CERTS = TestCerts.get();
    private static DemoProcess server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        ExternalTool.require("curl", "curl");
        server = DemoProcess.start(
                "http_server", "0", "--tls", CERTS.serverChain.toString(), CERTS.serverKey.toString());
        port = Integer.parseInt(server.await("listening on https://127.0.0.1:(\\d+)/", 30));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static String url(String path) {
        return "https://localhost:" + port + path;
    }

    /** Runs a command with {@code stdin}; returns its exit code, then stdout and stderr. */
    static String[] run(String stdin, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), cmd + " did not end");
        return new String[] {String.valueOf(p.exitValue()), out, new String(err, StandardCharsets.UTF_8)};
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        String[] r = run(null, cmd);
        assertEquals("0", r[0], "curl " + cmd + " failed: " + r[2]);
        return r[1] + "\n--- stderr ---\n" + r[2];
    }

    /** The server's count of connections closed for {@code reason}, from its /stats page. */
    static long closed(String reason) throws Exception {
        String stats = curl("--cacert", CERTS.ca.toString(), url("/stats"));
        Matcher m = Pattern.compile("\"" + reason + "\"\\s*:\\s*(\\d+)").matcher(stats);
        assertTrue(m.find(), stats);
        return Long.parseLong(m.group(1));
    }

    @Test
    void curlVerifiesTheCertificateAndSpeaksHttp11OverTls13() throws Exception {
        String out = curl("-v", "--cacert", CERTS.ca.toString(), url("/hello/tls"), url("/hello/again"));
        assertTrue(out.startsWith("Hello, tls!\nHello, again!\n"), out);
        assertTrue(out.contains("TLSv1.3"), out);
        assertTrue(out.matches("(?s).*ALPN.*(accepted|server accepted) http/1.1.*"), out);
        assertTrue(out.matches("(?s).*(?i:re-?using existing).*"), "keep-alive over TLS:\n" + out);
    }

    @Test
    void curlOverTls12() throws Exception {
        String out = curl("-v", "--tlsv1.2", "--tls-max", "1.2", "--cacert", CERTS.ca.toString(), url("/hello/old"));
        assertTrue(out.startsWith("Hello, old!\n"), out);
        assertTrue(out.contains("TLSv1.2"), out);
    }

    @Test
    void curlRefusesTheServerWithoutTheCa() throws Exception {
        String[] r = run(null, List.of("curl", "-sS", "--max-time", "20", url("/hello/x")));
        assertEquals("60", r[0], "curl's 'peer certificate cannot be authenticated': " + r[2]);
        // the server counted it (curl's alert), and goes on
        await().atMost(Duration.ofSeconds(20)).until(() -> closed("tls_handshake") >= 1);
        assertTrue(curl("--cacert", CERTS.ca.toString(), url("/hello/after")).startsWith("Hello, after!"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslNegotiatesEachVersionAndVerifiesTheChain(String version) throws Exception {
        ExternalTool.require("openssl", "openssl");
        String[] r = run(
                "GET /hello/openssl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                List.of(
                        "openssl",
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + port,
                        "-servername",
                        "localhost",
                        "-verify_hostname",
                        "localhost",
                        "-CAfile",
                        CERTS.ca.toString(),
                        "-alpn",
                        "http/1.1",
                        version,
                        "-ign_eof"));
        String out = r[1] + r[2];
        assertEquals("0", r[0], out);
        String expect = version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2";
        assertTrue(
                out.contains("Protocol: " + expect)
                        || out.contains("Protocol  : " + expect)
                        || out.contains("New, " + expect),
                out);
        assertTrue(out.contains("Verify return code: 0 (ok)"), out);
        assertTrue(out.contains("ALPN protocol: http/1.1"), out);
        assertTrue(out.contains("Hello, openssl!"), out);
        Matcher cipher = Pattern.compile("Cipher is (\\S+)").matcher(out);
        assertTrue(cipher.find(), out);
        assertTrue(
                cipher.group(1).contains("GCM") || cipher.group(1).contains("CHACHA20"),
                "an AEAD cipher: " + cipher.group(1));
    }

    @Test
    void opensslOfferingOnlyWeakProtocolsIsRefused() throws Exception {
        ExternalTool.require("openssl", "openssl");
        String[] r = run("", List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_1"));
        assertNotEquals("0", r[0], r[1] + r[2]);
    }

    @Test
    void plaintextAndGarbageAreClosedAndCountedWhileOthersAreServed() throws Exception {
        long before = closed("tls_handshake");
        try (Socket plain = new Socket("127.0.0.1", port);
                Socket garbage = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(20_000);
            garbage.setSoTimeout(20_000);
            plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] junk = new byte[500];
            new Random(3).nextBytes(junk);
            garbage.getOutputStream().write(junk);
            // meanwhile a real client is served
            assertTrue(curl("--cacert", CERTS.ca.toString(), url("/hello/meanwhile"))
                    .startsWith("Hello, meanwhile!"));
            readToEnd(plain.getInputStream());
            readToEnd(garbage.getInputStream());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> closed("tls_handshake") >= before + 2);
        server.awaitStderr("TLS handshake with 127\\.0\\.0\\.1:\\d+ failed, closing it: ", 20);
    }

    @Test
    void theJdkHttpClient() throws Exception {
        try (java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder()
                .sslContext(CERTS.clientContext())
                .build()) {
            HttpResponse<String> r = jdk.send(
                    HttpRequest.newBuilder(URI.create(url("/hello/jdk")))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("Hello, jdk!\n", r.body());
            assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, r.version());
        }
    }

    @Test
    void msgServerAndClientOverTls() throws Exception {
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        try (MessageServer msg = MsgServerDemo.start(
                new String[] {
                    "0",
                    "--echo",
                    "--bind",
                    "127.0.0.1",
                    "--tls",
                    CERTS.serverChain.toString(),
                    CERTS.serverKey.toString()
                },
                out)) {
            assertTrue(
                    outBytes.toString(StandardCharsets.UTF_8).contains(", TLS"),
                    outBytes.toString(StandardCharsets.UTF_8));
            int code = MsgClientDemo.run(
                    new String[] {
                        "localhost",
                        String.valueOf(msg.port()),
                        "-n",
                        "5000",
                        "-c",
                        "2",
                        "--echo",
                        "--ca",
                        CERTS.ca.toString()
                    },
                    out,
                    out);
            String text = outBytes.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, text);
            assertTrue(text.contains("0 mismatched, 0 missing"), text);
            assertEquals(10_000, msg.stats().messagesOut());
        }
    }

    @Test
    void demoArgumentErrorsNameTheFile() throws Exception {
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        String missing = CERTS.dir.resolve("nope.pem").toString();
        int code = MsgClientDemo.run(new String[] {"localhost", "1", "--ca", missing}, err, err);
        assertEquals(2, code);
        assertTrue(
                errBytes.toString(StandardCharsets.UTF_8).contains("cannot read certificate file " + missing),
                errBytes.toString(StandardCharsets.UTF_8));
    }

    private static void readToEnd(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // the server's alert, then its close
            }
        } catch (java.net.SocketException reset) {
            // closed with our bytes unread: a reset is an end too
        }
    }
}
