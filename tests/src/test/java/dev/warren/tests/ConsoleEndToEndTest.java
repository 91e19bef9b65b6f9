package dev.warren.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./http_server 0 --console 0} as a process, driven as {@code nc} would drive it: plain lines over
 * TCP. The console switches the access log of the running server, reads it back, and bad input (an
 * unknown command, a 1 MB line) harms neither the other consoles nor the server.
 */
@Timeout(180)
class ConsoleEndToEndTest {
    private static final String PROMPT = "warren> ";

    private static final class Nc implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Nc(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        String untilPrompt() throws IOException {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (; ; ) {
                int b = in.read();
                if (b < 0) {
                    return got.toString(StandardCharsets.UTF_8) + "<EOF>";
                }
                got.write(b);
                String s = got.toString(StandardCharsets.UTF_8);
                if (s.endsWith(PROMPT)) {
                    return s.substring(0, s.length() - PROMPT.length());
                }
            }
        }

        String send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return untilPrompt();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void theConsoleOfARunningServerSwitchesAndReadsItsAccessLog() throws Exception {
        try (DemoProcess server = DemoProcess.start("http_server", "0", "--console", "0")) {
            String port = server.await("listening on http://127\\.0\\.0\\.1:(\\d+)/", 60);
            int console = Integer.parseInt(server.awaitStderr("console on 127\\.0\\.0\\.1:(\\d+)", 60));
            HttpClient http = HttpClient.newHttpClient();
            try (Nc a = new Nc(console);
                    Nc b = new Nc(console)) {
                assertTrue(a.untilPrompt().contains("help"));
                b.untilPrompt();
                assertTrue(a.send("help").contains("show tasklets"));
                assertTrue(a.send("show sockets").contains("http_server"), "the demo's listener");
                assertEquals("http.access enabled\n", a.send("log enable http.access"));
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello/console"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                // the access line is written just after the answer: ask until it is there
                String log = "";
                for (int i = 0; i < 200 && !log.contains("GET /hello/console"); i++) {
                    log = b.send("show log http.access");
                }
                assertTrue(log.contains("\"GET /hello/console HTTP/1.1\" 200"), log);
                assertEquals("error: unknown command 'bogus'; try help\n", b.send("bogus"));

                try (Nc huge = new Nc(console)) {
                    huge.untilPrompt();
                    byte[] line = new byte[1 << 20];
                    Arrays.fill(line, (byte) 'y');
                    Thread writer = Thread.ofPlatform().start(() -> {
                        try {
                            huge.out.write(line);
                            huge.out.write('\n');
                        } catch (IOException closedUnderUs) {
                            // the console closed after its limit; the rest may meet a reset
                        }
                    });
                    String answer = new String(huge.in.readAllBytes(), StandardCharsets.UTF_8);
                    writer.join();
                    assertTrue(answer.startsWith("error: line longer than 4096 bytes; closing this console"), answer);
                }
                assertTrue(a.send("show logs").contains("http.access"), "the other consoles go on");
                assertEquals("bye\n<EOF>", a.send("quit") + new String(a.in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertTrue(server.process.isAlive(), "the console never stops the process");
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
        }
    }

    @Test
    void aBadConsolePortIsRefusedWithExit2() throws Exception {
        try (DemoProcess p = DemoProcess.start("tasklets_demo", "--console", "99999")) {
            String err = p.stderrAfterExit();
            assertEquals(2, p.process.exitValue());
            assertTrue(err.contains("--console PORT must be a number 0..65535, was '99999'"), err);
        }
    }
}
