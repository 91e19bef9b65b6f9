package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link ListenerOptions}: defaults, each option checked when set with a message naming the bad value. */
class ListenerOptionsTest {

    private static void rejected(String message, Supplier<?> set) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, set::get);
        assertEquals(message, e.getMessage());
    }

    @Test
    void defaultsAreTheTcpServersOwn() {
        ListenerOptions d = ListenerOptions.defaults();
        assertEquals("tcp-server", d.name());
        assertNull(d.bindAddress());
        assertEquals(0, d.port());
        assertEquals(1024, d.backlog());
        assertTrue(d.reuseAddress());
        assertEquals(TcpServer.defaultMaxConnections(), d.maxConnections());
        assertEquals(ConnectionLimitPolicy.WAIT, d.limitPolicy());
        assertNull(d.readTimeout());
        assertNull(d.idleTimeout());
        assertEquals(Duration.ofSeconds(5), d.drainTimeout());
        assertTrue(d.tcpNoDelay());
        assertEquals(false, d.reactor());
        assertSame(d, TcpServer.defaultListener());
        assertEquals(d, TcpServer.builder().listener());
    }

    @Test
    void everyOptionIsCheckedWhenSet() {
        ListenerOptions d = ListenerOptions.defaults();
        rejected("port must be 0..65535, was 65536", () -> d.withPort(65536));
        rejected("port must be 0..65535, was -1", () -> d.withPort(-1));
        rejected("backlog must be > 0, was 0", () -> d.withBacklog(0));
        rejected("maxConnections must be > 0, was -3", () -> d.withMaxConnections(-3));
        rejected("readTimeout must be > 0, was PT0S", () -> d.withReadTimeout(Duration.ZERO));
        rejected("idleTimeout must be > 0, was PT0S", () -> d.withIdleTimeout(Duration.ZERO));
        rejected("idleTimeout must be > 0, was PT-1S", () -> d.withIdleTimeout(Duration.ofSeconds(-1)));
        rejected(
                "idleTimeout must be at most 2147483647 ms, was PT240000H",
                () -> d.withIdleTimeout(Duration.ofDays(10_000)));
        rejected("drainTimeout must be >= 0, was PT-0.001S", () -> d.withDrainTimeout(Duration.ofMillis(-1)));
        rejected("closeWarningAfter must be > 0, was PT0S", () -> d.withCloseWarningAfter(Duration.ZERO));
        rejected(
                "bindAddress is not a known host or address, was 'no such host.invalid'",
                () -> d.withBindAddress("no such host.invalid"));
        assertThrows(NullPointerException.class, () -> d.withName(null));
        assertThrows(NullPointerException.class, () -> d.withLimitPolicy(null));
        assertThrows(NullPointerException.class, () -> d.withDrainTimeout(null));
        assertThrows(NullPointerException.class, () -> d.withBindAddress((InetAddress) null));
    }

    @Test
    void withersChangeOneOptionAndNullClearsATimeout() throws Exception {
        ListenerOptions o = ListenerOptions.defaults()
                .withName("orders")
                .withBindAddress("127.0.0.1")
                .withPort(7000)
                .withReadTimeout(Duration.ofSeconds(3))
                .withIdleTimeout(Duration.ofSeconds(9))
                .withLimitPolicy(ConnectionLimitPolicy.CLOSE)
                .withReactor(true);
        assertEquals("orders", o.name());
        assertEquals(InetAddress.getByName("127.0.0.1"), o.bindAddress());
        assertEquals(7000, o.port());
        assertEquals(ConnectionLimitPolicy.CLOSE, o.limitPolicy());
        assertTrue(o.reactor());
        assertNull(o.withReadTimeout(null).readTimeout());
        assertNull(o.withIdleTimeout(null).idleTimeout());
        assertNull(o.withEveryAddress().bindAddress());
        assertEquals(o, o.withPort(7000), "a value: equal when every option is");
    }

    @Test
    void theServerBuildersShareTheChecks() {
        // the same bad value gets the same message from every server's convenience setter
        rejected("maxConnections must be > 0, was 0", () -> TcpServer.builder().maxConnections(0));
        rejected("idleTimeout must be > 0, was PT0S", () -> TcpServer.builder().idleTimeout(Duration.ZERO));
    }

    @Test
    void aServerListensWhereItsListenerOptionsSay() throws Exception {
        ListenerOptions o =
                ListenerOptions.defaults().withName("listener-options-test").withBindAddress("127.0.0.1");
        try (TcpServer server = TcpServer.builder()
                .listener(o)
                .handler(conn -> conn.writeLine("hi").flush())
                .start()) {
            assertEquals(
                    InetAddress.getByName("127.0.0.1"), server.localAddress().getAddress());
            assertTrue(server.name().startsWith("listener-options-test "), server.name());
            try (Connection c = TcpClient.connect("127.0.0.1", server.port())) {
                assertEquals("hi", c.readLine(10, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
