package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A server writes each connection it closes, with the reason, to {@code net.close} while the stream is on. */
class NetCloseLogTest {

    @Test
    void closesAreLoggedWithTheirReason() throws Exception {
        LogStreams.NET_CLOSE.enabled(true);
        try (TcpServer server = TcpServer.builder()
                .name("closelog")
                .bindAddress("127.0.0.1")
                .port(0)
                .handler(c -> {
                    String line = c.readLine(100);
                    if ("fail".equals(line)) {
                        throw new IllegalStateException("handler gave up");
                    }
                })
                .start()) {
            try (Connection c = TcpClient.connect("127.0.0.1", server.port(), ConnectOptions.defaults())) {
                c.writeLine("bye").flush();
                c.readLine(100); // the server closes after one line: wait for its end of the stream
            }
            try (Connection c = TcpClient.connect("127.0.0.1", server.port(), ConnectOptions.defaults())) {
                c.writeLine("fail").flush();
                c.readLine(100);
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertTrue(
                            texts().stream()
                                            .filter(l -> l.startsWith("closelog "))
                                            .count()
                                    >= 2,
                            texts().toString()));
            assertTrue(
                    texts().stream().anyMatch(l -> l.startsWith("closelog ") && l.contains("closed (normal)")),
                    texts().toString());
            assertTrue(
                    texts().stream().anyMatch(l -> l.contains("closed (error)") && l.contains("handler gave up")),
                    texts().toString());
        } finally {
            LogStreams.NET_CLOSE.enabled(false);
        }
    }

    private static List<String> texts() {
        return LogStreams.NET_CLOSE.read(-1, -1).stream()
                .map(LogStream.Line::text)
                .toList();
    }

    @Test
    void aReactorBeatsAHeartbeatWhileItRuns() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TcpServer.reactorSupported(), "no reactor on this platform");
        try (TcpServer server = TcpServer.builder()
                .name("beating")
                .bindAddress("127.0.0.1")
                .port(0)
                .reactor(true)
                .handler(c -> c.readLine(100))
                .start()) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> heartbeats().stream().anyMatch(n -> n.startsWith("reactor beating")));
            assertTrue(server.port() > 0);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> heartbeats().stream().noneMatch(n -> n.startsWith("reactor beating")));
    }

    @SuppressWarnings("unchecked")
    private static List<String> heartbeats() {
        return ((List<java.util.Map<String, Object>>)
                        dev.warren.tasklets.Watchdog.report().get("heartbeats"))
                .stream().map(m -> (String) m.get("name")).toList();
    }
}
