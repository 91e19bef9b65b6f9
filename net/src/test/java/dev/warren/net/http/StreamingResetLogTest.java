package dev.warren.net.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that resets the connection in the middle of a streamed response is the client's doing: it
 * is counted as a peer reset and logged at debug, not at ERROR as a failure of ours (the soak run's
 * resets mid-response filled its log with ERROR stack traces).
 */
class StreamingResetLogTest {

    @Test
    void aResetMidStreamIsAPeerResetNotAnError() throws Exception {
        Router router = Router.builder()
                .get(
                        "/stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            byte[] line = "0123456789abcdef0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
                            for (int i = 0; i < 1_000_000; i++) {
                                out.write(line);
                            }
                        }))
                .build();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (HttpServer server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .handler(router)
                .start()) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.getOutputStream()
                        .write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[4096];
                assertTrue(s.getInputStream().read(buf) > 0);
                s.setSoLinger(true, 0); // close with a reset, the response still streaming
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.stats().tcp().closed(CloseReason.PEER_RESET) == 1);
            assertEquals(0, server.stats().tcp().closed(CloseReason.ERROR));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains("ERROR"), "logged as an error:\n" + log);
    }
}
