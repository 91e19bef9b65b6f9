package dev.warren.net.frame;

import static dev.warren.net.frame.MsgTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.Connection;
import dev.warren.net.ConnectionLimitPolicy;
import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener options of a {@link MessageServer}: checked when set (not at start), and all of them
 * honoured, including those it could not choose before (read timeout, limit policy, reactor).
 */
class MessageServerListenerTest {
    private MessageServer server;
    private String name;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
            MsgTesting.assertNoTaskletNamed(name);
        }
    }

    private MessageServer start(ListenerOptions listener) {
        name = MsgTesting.unique("msg-listener-test");
        server = MessageServer.builder()
                .listener(listener.withName(name).withBindAddress("127.0.0.1").withDrainTimeout(Duration.ofSeconds(2)))
                .handler(MsgTesting.ECHO)
                .start();
        return server;
    }

    private static void assertEchoes(Connection c, FrameFormat format) throws Exception {
        byte[] payload = Frames.payload(110, 5);
        FrameWriter w = FrameWriter.of(c.outputStream(), format);
        w.write(payload);
        w.flush();
        assertArrayEquals(payload, FrameReader.of(c.inputStream(), format).read());
    }

    @Test
    void aZeroIdleTimeoutIsRejectedWhenSetNotAtStart() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> MessageServer.builder().idleTimeout(Duration.ZERO));
        assertEquals("idleTimeout must be > 0, was PT0S", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> MessageServer.builder().drainTimeout(Duration.ofSeconds(-1)));
        assertEquals("drainTimeout must be >= 0, was PT-1S", e.getMessage());
    }

    @Test
    void theDefaultsAreTheListenersWithTheServersName() {
        assertEquals(MessageServer.defaultListener(), MessageServer.builder().listener());
        assertEquals("msg-server", MessageServer.defaultListener().name());
        assertEquals(
                ListenerOptions.defaults().withName("msg-server"),
                MessageServer.builder().listener());
    }

    @Test
    void aReadTimeoutClosesASilentConnection() throws Exception {
        start(MessageServer.defaultListener().withReadTimeout(Duration.ofMillis(500)));
        try (Connection c = MsgTesting.rawConnect(server)) {
            assertEchoes(c, server.format());
            assertEquals(-1, c.readByte(), "closed by the server after 500 ms without a frame");
        }
        await().atMost(WAIT).until(() -> server.stats().tcp().closed(CloseReason.TIMEOUT) == 1);
    }

    @Test
    void theClosePolicyTurnsAwayConnectionsBeyondTheLimit() throws Exception {
        start(MessageServer.defaultListener().withMaxConnections(1).withLimitPolicy(ConnectionLimitPolicy.CLOSE));
        try (Connection first = MsgTesting.rawConnect(server)) {
            assertEchoes(first, server.format()); // served: it holds the one slot
            try (Connection second = MsgTesting.rawConnect(server)) {
                assertEquals(-1, second.readByte(), "closed at once: the server is full");
            }
            assertEquals(1, server.stats().tcp().closed(CloseReason.LIMIT));
            assertEchoes(first, server.format());
        }
    }

    @Test
    void theReactorCanReadItsConnections() throws Exception {
        assumeTrue(TcpServer.reactorSupported(), "the reactor needs JDK 24+");
        start(MessageServer.defaultListener().withReactor(true));
        try (Connection c = MsgTesting.rawConnect(server)) {
            assertEchoes(c, server.format());
            String reactor = "reactor 127.0.0.1:" + server.port();
            assertTrue(
                    Tasklets.snapshot().tasklets().stream()
                            .map(TaskletInfo::name)
                            .anyMatch(reactor::equals),
                    () -> "no tasklet '" + reactor + "':\n"
                            + Tasklets.snapshot().toText());
        }
    }
}
