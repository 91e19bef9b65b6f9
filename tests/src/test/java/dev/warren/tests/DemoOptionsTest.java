package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every demo takes alike: --help, --version and --config FILE, run as processes. */
class DemoOptionsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "tasklets_demo",
                "http_server",
                "http_client",
                "msg_server",
                "msg_client",
                "hiveparser",
                "datapath",
                "supervise"
            })
    void helpGoesToStandardOutputAndExitsZero(String demo) throws Exception {
        try (DemoProcess p = DemoProcess.start(demo, "--help")) {
            String err = p.stderrAfterExit();
            assertEquals(0, p.process.exitValue(), err);
            assertTrue(p.output().startsWith("usage: "), p.output());
            assertTrue(err.isEmpty(), err);
            if (!demo.equals("supervise")) {
                assertTrue(p.output().contains("--admin PORT"), p.output());
                assertTrue(p.output().contains("--config FILE"), p.output());
            }
        }
        try (DemoProcess p = DemoProcess.start(demo, "--version")) {
            String err = p.stderrAfterExit();
            assertEquals(0, p.process.exitValue(), err);
            assertTrue(p.output().matches(demo + " \\(Warren \\S+, commit \\S+; JDK \\S+\\)\n"), p.output());
        }
    }

    @Test
    void aBadConfigurationIsReportedWholeAndNothingStarts() throws Exception {
        int port = freePort();
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, """
                warren {
                  http-servers.http_server { port = 99999, idel-timeout = 20s }
                  admin { port = "x" }
                }
                """);
        try (DemoProcess p = DemoProcess.start("http_server", Integer.toString(port), "--config", bad.toString())) {
            String err = p.stderrAfterExit();
            assertEquals(2, p.process.exitValue(), err);
            assertTrue(err.contains("http_server: --config " + bad + ": 3 problems in the configuration:"), err);
            assertTrue(
                    err.contains(bad + ":2: warren.http-servers.http_server.port: port must be 0..65535, was 99999"),
                    err);
            assertTrue(
                    err.contains(bad + ":2: warren.http-servers.http_server.idel-timeout: unknown key (did you "
                            + "mean idle-timeout?)"),
                    err);
            assertTrue(err.contains(bad + ":3: warren.admin.port: must be an integer, was \"x\""), err);
            assertTrue(p.output().isEmpty(), "nothing started: " + p.output());
        }
    }

    @Test
    void theServerAndTheAdminServerComeFromTheFileAndTheCommandLineWins() throws Exception {
        int filePort = freePort();
        int adminPort = freePort();
        Path conf = dir.resolve("demo.conf");
        Files.writeString(
                conf,
                "warren {\n  http-servers.http_server { port = " + filePort + ", access-log = true }\n"
                        + "  admin { port = " + adminPort + " }\n}\n");
        try (DemoProcess p = DemoProcess.start("http_server", "--config", conf.toString())) {
            p.await("listening on http://127.0.0.1:" + filePort + "/", 60);
            p.awaitStderr("admin server and dashboard on http://127.0.0.1:" + adminPort + "/", 10);
            assertTrue(get(filePort, "/hello/file").contains("Hello, file!"));
            assertTrue(get(adminPort, "/capa.json").contains("\"version\""));
            p.awaitStderr("\"GET /hello/file HTTP/1.1\" 200", 10); // access-log = true
        }
        int cliPort = freePort();
        try (DemoProcess p = DemoProcess.start("http_server", Integer.toString(cliPort), "--config", conf.toString())) {
            p.await("listening on http://127.0.0.1:" + cliPort + "/", 60);
        }
    }

    @Test
    void theHttpServerDemoServesADirectory() throws Exception {
        Files.writeString(dir.resolve("note.txt"), "served from disk");
        try (DemoProcess p = DemoProcess.start("http_server", "0", "--static", dir.toString())) {
            int port = Integer.parseInt(p.await("listening on http://127.0.0.1:(\\d+)/", 60));
            String reply = get(port, "/static/note.txt");
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
            assertTrue(reply.contains("ETag: \""), reply);
            assertTrue(reply.endsWith("served from disk"), reply);
            assertTrue(get(port, "/static/../note.txt").startsWith("HTTP/1.1 404"));
        }
        try (DemoProcess p = DemoProcess.start(
                "http_server", "0", "--static", dir.resolve("nope").toString())) {
            String err = p.stderrAfterExit();
            assertEquals(2, p.process.exitValue(), err);
            assertTrue(err.contains("--static needs a directory, was '" + dir.resolve("nope") + "'"), err);
        }
    }

    @Test
    void theHttpClientSpeaksWebSocketToTheServersEcho() throws Exception {
        try (DemoProcess server = DemoProcess.start("http_server", "0")) {
            int port = Integer.parseInt(server.await("listening on http://127.0.0.1:(\\d+)/", 60));
            try (DemoProcess client = DemoProcess.start("http_client", "--ws", "ws://127.0.0.1:" + port + "/ws/echo")) {
                client.process.getOutputStream().write("hello\nwörld\n".getBytes(StandardCharsets.UTF_8));
                client.process.getOutputStream().close();
                String err = client.stderrAfterExit();
                assertEquals(0, client.process.exitValue(), err);
                assertEquals("hello\nwörld\n", client.output());
                assertTrue(err.contains("http_client: closed (1000)"), err);
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String get(int port, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
