package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.frame.MessageClient;
import dev.warren.net.frame.MessageServer;
import dev.warren.tasklets.DeadlineExceededException;
import dev.warren.tasklets.TaskletScope;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Servers, receivers and clients outlive the code that starts them: a short user scope open on the
 * starting thread must not stop them when its deadline passes (their scopes are standalone, not nested
 * in it by thread).
 */
class LibraryScopesTest {
    static final Duration BOUND = Duration.ofSeconds(60);
    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void warmSockets() throws Exception {
        new java.net.Socket().close(); // class initialisation on this platform thread, not in a tasklet
    }

    /** Starts {@code what} inside a scope whose 50 ms deadline then passes, and returns it. */
    static <T> T startInsideAScopeThatTimesOut(Supplier<T> what) throws InterruptedException {
        T started;
        try (var request = TaskletScope.failFast("short request")
                .deadline(Duration.ofMillis(50))
                .open()) {
            started = what.get();
            request.fork("slow", () -> Thread.sleep(Duration.ofMinutes(1)));
            assertThrows(DeadlineExceededException.class, request::join);
        }
        return started;
    }

    @Test
    void aServerStartedInsideAScopeOutlivesItsDeadline() {
        assertTimeoutPreemptively(BOUND, () -> {
            TcpServer server = startInsideAScopeThatTimesOut(() -> TcpServerTest.local()
                    .name("outlives-the-request")
                    .handler(TcpServerTest.ECHO_LINES)
                    .start());
            try (server;
                    Connection c = TcpServerTest.connect(server)) {
                assertFalse(server.isClosing());
                c.writeLine("still accepting").flush();
                assertEquals("still accepting", c.readLine(100));
            }
        });
    }

    @Test
    void aUdpReceiverStartedInsideAScopeOutlivesItsDeadline() {
        assertTimeoutPreemptively(BOUND, () -> {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
            UdpReceiver rx = startInsideAScopeThatTimesOut(() -> UdpReceiver.builder()
                    .name("udp-outlives")
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((data, from) ->
                            got.add(StandardCharsets.UTF_8.decode(data).toString()))
                    .start());
            try (rx;
                    DatagramSocket tx = new DatagramSocket()) {
                byte[] d = "still receiving".getBytes(StandardCharsets.UTF_8);
                tx.send(new DatagramPacket(d, d.length, new InetSocketAddress("127.0.0.1", rx.port())));
                assertEquals("still receiving", got.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void aMessageClientStartedInsideAScopeOutlivesItsDeadline() {
        assertTimeoutPreemptively(BOUND, () -> {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
            try (MessageServer server = MessageServer.builder()
                    .name("msg-sink-outlives")
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((conn, payload) ->
                            got.add(StandardCharsets.UTF_8.decode(payload).toString()))
                    .start()) {
                MessageClient client =
                        startInsideAScopeThatTimesOut(() -> MessageClient.builder("127.0.0.1", server.port())
                                .name("msg-client-outlives")
                                .start());
                try (client) {
                    assertTrue(client.awaitUp(WAIT));
                    assertTrue(client.send("still sending".getBytes(StandardCharsets.UTF_8)));
                    assertEquals("still sending", got.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                    assertEquals(MessageClient.State.UP, client.state());
                }
            }
        });
    }
}
