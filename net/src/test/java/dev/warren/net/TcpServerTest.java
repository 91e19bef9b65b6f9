package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.TaskletInfo;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpServerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    TcpServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
            assertNoTaskletOf(server);
        }
    }

    static TcpServer.Builder local() {
        return TcpServer.builder().bindAddress("127.0.0.1").port(0).drainTimeout(Duration.ofSeconds(2));
    }

    /** The builder every test here starts from; {@link TcpServerReactorTest} runs them all with a reactor. */
    TcpServer.Builder builder() {
        return local();
    }

    static final ConnectionHandler ECHO_LINES = conn -> {
        for (String line; (line = conn.readLine(8192)) != null; ) {
            conn.writeLine(line).flush();
        }
    };

    static Connection connect(TcpServer s) throws IOException {
        return TcpClient.connect(
                "127.0.0.1", s.port(), ConnectOptions.defaults().withReadTimeout(WAIT));
    }

    static void assertNoTaskletOf(TcpServer s) {
        String at = ConnectionImpl.format(s.localAddress());
        assertTrue(
                Tasklets.snapshot().tasklets().stream()
                        .map(TaskletInfo::name)
                        .noneMatch(n -> n.endsWith(at) || n.startsWith("conn ")),
                () -> "tasklets left after close:\n" + Tasklets.snapshot().toText());
        assertTrue(Tasklets.snapshot().findScope(s.toString()).isEmpty());
    }

    @Test
    void echoRoundTripOnAnEphemeralPort() throws Exception {
        server = builder().name("echo").handler(ECHO_LINES).start();
        assertNotEquals(0, server.port());
        try (Connection c = connect(server)) {
            for (int i = 0; i < 100; i++) {
                c.writeLine("hello " + i + " ünïcödé").flush();
                assertEquals("hello " + i + " ünïcödé", c.readLine(100));
            }
            assertEquals("127.0.0.1", c.remoteAddress().getAddress().getHostAddress());
            assertEquals(server.port(), c.remoteAddress().getPort());
            assertEquals(c.localAddress().getPort(), c.localAddress().getPort());
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == 1);
        TcpServerStats st = server.stats();
        assertEquals(1, st.accepted());
        assertEquals(0, st.active());
        assertTrue(st.bytesIn() > 1000 && st.bytesIn() == st.bytesOut(), st.toString());
        Map<String, Object> tree = st.toTree();
        assertEquals(1L, tree.get("accepted"));
        assertEquals(1L, ((Map<?, ?>) tree.get("closed")).get("normal"));
        assertEquals(0L, ((Map<?, ?>) tree.get("closed")).get("peer_reset"));
    }

    @Test
    void pipelinedMessagesArriveInOneRead() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        BlockingQueue<Integer> firstRead = new ArrayBlockingQueue<>(1);
        server = builder()
                .handler(conn -> {
                    sent.await();
                    byte[] buf = new byte[64 * 1024];
                    firstRead.add(conn.readUpTo(buf, 0, buf.length));
                })
                .start();
        try (Connection c = connect(server)) {
            for (int i = 0; i < 500; i++) {
                c.writeInt(6).write("abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // 10 bytes each
            }
            c.flush();
            sent.countDown();
            assertEquals(5000, firstRead.poll(10, TimeUnit.SECONDS), "one write of 5000 bytes, read at once");
        }
    }

    @Test
    void cleanEndMidMessageEndAndResetAreTold() throws Exception {
        BlockingQueue<Object> seen = new ArrayBlockingQueue<>(10);
        CountDownLatch readerBlocked = new CountDownLatch(3);
        server = builder()
                .handler(conn -> {
                    byte[] four = new byte[4];
                    try {
                        readerBlocked.countDown();
                        int n = conn.readFully(four, 0, 4);
                        seen.add(n);
                    } catch (IOException e) {
                        seen.add(e);
                        throw e;
                    }
                })
                .start();

        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.shutdownOutput(); // clean end of stream, no bytes
            assertEquals(-1, seen.poll(10, TimeUnit.SECONDS));
        }
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(new byte[] {1, 2});
            s.shutdownOutput();
            ConnectionClosedException e =
                    assertInstanceOf(ConnectionClosedException.class, seen.poll(10, TimeUnit.SECONDS));
            assertEquals(2, e.bytesRead());
        }
        Socket s = new Socket("127.0.0.1", server.port());
        s.getOutputStream().write(new byte[] {1, 2});
        await().atMost(WAIT).until(() -> server.stats().bytesIn() == 4); // the handler waits for bytes 3 and 4
        s.setSoLinger(true, 0);
        s.close(); // RST
        Object reset = seen.poll(10, TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, reset);

        await().atMost(WAIT).until(() -> server.stats().closedTotal() == 3);
        TcpServerStats st = server.stats();
        assertEquals(1, st.closed(CloseReason.NORMAL));
        assertEquals(1, st.closed(CloseReason.PROTOCOL_ERROR));
        assertEquals(1, st.closed(CloseReason.PEER_RESET));
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        server = builder()
                .handler(conn -> {
                    for (String line; (line = conn.readLine(100)) != null; ) {
                        if (line.equals("boom")) {
                            throw new IllegalStateException("handler bug on purpose");
                        }
                        conn.writeLine(line).flush();
                    }
                })
                .start();
        try (Connection good = connect(server);
                Connection bad = connect(server)) {
            good.writeLine("one").flush();
            assertEquals("one", good.readLine(100));
            bad.writeLine("boom").flush();
            assertNull(bad.readLine(100), "the failing connection is closed");
            good.writeLine("two").flush();
            assertEquals("two", good.readLine(100), "the other connection still works");
            try (Connection later = connect(server)) {
                later.writeLine("three").flush();
                assertEquals("three", later.readLine(100), "the server still accepts");
            }
        }
        await().atMost(WAIT).until(() -> server.stats().closedTotal() == 3);
        assertEquals(1, server.stats().closed(CloseReason.ERROR));
        assertEquals(2, server.stats().closed(CloseReason.NORMAL));
    }

    @Test
    void protocolErrorClosesWithACountedReason() throws Exception {
        server = builder()
                .handler(conn -> {
                    int len = conn.readInt();
                    if (len > 1000) {
                        throw conn.protocolError("frame length " + len + " above 1000");
                    }
                })
                .start();
        try (Connection c = connect(server)) {
            c.writeInt(5000).flush();
            assertEquals(-1, c.readByte());
        }
        try (Connection c = connect(server)) {
            c.writeInt(10).flush(); // within the limit: the handler returns
            assertEquals(-1, c.readByte());
        }
        await().atMost(WAIT).until(() -> server.stats().closedTotal() == 2);
        assertEquals(1, server.stats().closed(CloseReason.PROTOCOL_ERROR));
        assertEquals(1, server.stats().closed(CloseReason.NORMAL));
    }

    @Test
    void tooLongLineIsAProtocolError() throws Exception {
        server = builder().handler(ECHO_LINES).start();
        try (Connection c = connect(server)) {
            c.writeLine("y".repeat(9000)).flush();
            assertEquals(-1, c.readByte());
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.PROTOCOL_ERROR) == 1);
    }

    @Test
    void aReadAfterTheServerClosedTheConnectionFailsEvenWithBytesWaiting() throws Exception {
        CountDownLatch gotFirst = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        BlockingQueue<Object> outcome = new ArrayBlockingQueue<>(1);
        server = builder()
                .idleTimeout(Duration.ofMillis(200))
                .handler(conn -> {
                    conn.readLine(100);
                    gotFirst.countDown();
                    go.await(); // busy: the second line arrives meanwhile, then the reaper closes us
                    try {
                        outcome.add(String.valueOf(conn.readLine(100)));
                    } catch (IOException e) {
                        outcome.add(e);
                    }
                })
                .start();
        try (Connection c = connect(server)) {
            c.writeLine("first").flush();
            assertTrue(gotFirst.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            c.writeLine("second").flush();
            assertEquals(-1, c.readByte(), "the idle reaper closed the connection");
            go.countDown();
            Object o = outcome.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(SocketException.class, o, "a closed connection serves no more bytes, got " + o);
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.TIMEOUT) == 1);
    }

    @Test
    void idleConnectionsAreClosedAndCounted() throws Exception {
        server = builder()
                .idleTimeout(Duration.ofMillis(200))
                .handler(ECHO_LINES)
                .start();
        try (Connection busy = connect(server);
                Connection idle = connect(server)) {
            busy.writeLine("ping").flush();
            assertEquals("ping", busy.readLine(100));
            assertEquals(-1, idle.readByte(), "the server closed the idle connection");
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.TIMEOUT) >= 1);
    }

    /**
     * A protocol's idle rule (Connection.idleCheck) replaces "no read or write for the idle timeout":
     * the reaper asks it every round, and only it closes the connection.
     */
    @Test
    void aProtocolsIdleRuleReplacesThePlainOne() throws Exception {
        CountDownLatch rounds = new CountDownLatch(10);
        java.util.concurrent.atomic.AtomicBoolean idleNow = new java.util.concurrent.atomic.AtomicBoolean();
        server = builder()
                .idleTimeout(Duration.ofMillis(200))
                .handler(conn -> {
                    conn.idleCheck((now, idleNanos) -> {
                        rounds.countDown();
                        if (idleNow.get()) {
                            conn.abort(CloseReason.TIMEOUT);
                        }
                    });
                    ECHO_LINES.handle(conn);
                })
                .start();
        try (Connection c = connect(server)) {
            c.writeLine("first").flush();
            assertEquals("first", c.readLine(100));
            // Ten rounds of the reaper (one every 50 ms) are longer than the idle timeout without I/O:
            // the plain rule would have closed the connection by now.
            assertTrue(rounds.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            c.writeLine("still here").flush();
            assertEquals("still here", c.readLine(100));
            idleNow.set(true);
            assertEquals(-1, c.readByte(), "the protocol's rule closed the connection");
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.TIMEOUT) == 1);
    }

    /** An idle rule that throws is a bug: its connection closes, counted as ERROR; the server goes on. */
    @Test
    void aFailingIdleRuleClosesItsConnectionAsAnError() throws Exception {
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        server = builder()
                .idleTimeout(Duration.ofSeconds(1))
                .handler(conn -> {
                    if (served.getAndIncrement() == 0) { // the first connection only; the next one keeps the plain rule
                        conn.idleCheck((now, idleNanos) -> {
                            throw new IllegalStateException("a broken idle rule (expected by the test)");
                        });
                    }
                    ECHO_LINES.handle(conn);
                })
                .start();
        try (Connection c = connect(server)) {
            assertEquals(-1, c.readByte(), "closed by the reaper");
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.ERROR) == 1);
        try (Connection c = connect(server)) {
            c.writeLine("ping").flush();
            assertEquals("ping", c.readLine(100));
        }
    }

    @Test
    void readTimeoutEndsABlockedReadAndCounts() throws Exception {
        BlockingQueue<Throwable> seen = new ArrayBlockingQueue<>(1);
        server = builder()
                .readTimeout(Duration.ofMillis(150))
                .handler(conn -> {
                    try {
                        conn.readLine(100);
                    } catch (IOException e) {
                        seen.add(e);
                        throw e;
                    }
                })
                .start();
        try (Connection c = connect(server)) {
            assertInstanceOf(SocketTimeoutException.class, seen.poll(10, TimeUnit.SECONDS));
            assertEquals(-1, c.readByte());
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.TIMEOUT) == 1);
    }

    @Test
    void maxConnectionsWaitKeepsNewcomersInTheBacklog() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = builder()
                .maxConnections(2)
                .limitPolicy(ConnectionLimitPolicy.WAIT)
                .handler(conn -> {
                    String line = conn.readLine(100);
                    if (line.equals("hold")) {
                        release.await();
                    }
                    conn.writeLine(line).flush();
                })
                .start();
        try (Connection a = connect(server);
                Connection b = connect(server);
                Connection c = connect(server)) {
            a.writeLine("hold").flush();
            b.writeLine("hold").flush();
            c.writeLine("third").flush(); // connected by the kernel, not accepted yet
            String at = ConnectionImpl.format(server.localAddress());
            await().atMost(WAIT)
                    .until(() -> server.stats().active() == 2
                            && Tasklets.snapshot()
                                    .find(t -> t.name().equals("acceptor " + at)
                                            && String.valueOf(t.waitingOn()).startsWith("connection slot"))
                                    .isPresent());
            assertEquals(2, server.stats().accepted());
            release.countDown();
            assertEquals("hold", a.readLine(100));
            assertEquals("third", c.readLine(100), "served once a slot freed");
            assertEquals("hold", b.readLine(100));
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == 3);
        assertEquals(3, server.stats().accepted());
        assertEquals(0, server.stats().closed(CloseReason.LIMIT));
    }

    @Test
    void maxConnectionsCloseShutsNewcomersAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = builder()
                .maxConnections(1)
                .limitPolicy(ConnectionLimitPolicy.CLOSE)
                .handler(conn -> {
                    release.await();
                    ECHO_LINES.handle(conn);
                })
                .start();
        try (Connection a = connect(server)) {
            await().atMost(WAIT).until(() -> server.stats().active() == 1);
            try (Connection b = connect(server)) {
                assertEquals(-1, b.readByte(), "closed by the limit");
            }
            assertEquals(1, server.stats().closed(CloseReason.LIMIT));
            release.countDown();
            a.writeLine("still here").flush();
            assertEquals("still here", a.readLine(100));
        }
        await().atMost(WAIT).until(() -> server.stats().active() == 0);
        try (Connection c = connect(server)) { // the slot is free again
            c.writeLine("again").flush();
            assertEquals("again", c.readLine(100));
        }
        assertEquals(3, server.stats().accepted());
    }

    @Test
    void closeWithNoConnectionsIsQuickAndFinal() throws Exception {
        TcpServer s = builder().handler(ECHO_LINES).start();
        int port = s.port();
        s.close();
        s.close();
        assertTrue(s.awaitTermination(Duration.ZERO));
        assertTrue(s.isClosing());
        assertNoTaskletOf(s);
        assertThrows(ConnectException.class, () -> TcpClient.connect("127.0.0.1", port));
    }

    @Test
    void drainLetsFinishingConnectionsComplete() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        TcpServer s = builder()
                .drainTimeout(Duration.ofSeconds(10))
                .handler(conn -> {
                    conn.readLine(100);
                    inHandler.countDown();
                    finish.await();
                    conn.writeLine("done").flush();
                })
                .start();
        try (Connection c = connect(s)) {
            c.writeLine("go").flush();
            inHandler.await();
            Thread closer = Thread.ofVirtual().start(s::close);
            await().atMost(WAIT).until(s::isClosing);
            finish.countDown();
            assertEquals("done", c.readLine(100), "the in-flight reply went out during the drain");
            closer.join();
        }
        assertEquals(1, s.stats().closed(CloseReason.NORMAL));
        assertNoTaskletOf(s);
    }

    @Test
    void theRegistryShowsWhatAConnectionWaitsOn() throws Exception {
        server = builder().name("hints").handler(ECHO_LINES).start();
        try (Connection c = connect(server)) {
            String expected = "socket 127.0.0.1:" + server.port() + "<-127.0.0.1:"
                    + c.localAddress().getPort();
            await().atMost(WAIT)
                    .until(() -> Tasklets.snapshot()
                            .find(t ->
                                    expected.equals(t.waitingOn()) && t.name().startsWith("conn "))
                            .isPresent());
            assertTrue(Tasklets.snapshot()
                    .find(t -> ("accept 127.0.0.1:" + server.port()).equals(t.waitingOn()))
                    .isPresent());
            assertTrue(Tasklets.snapshot()
                    .findScope("hints 127.0.0.1:" + server.port())
                    .isPresent());
        }
    }

    @Test
    void servesIpv6Loopback() throws Exception {
        java.net.InetAddress v6 = java.net.InetAddress.getByName("::1");
        org.junit.jupiter.api.Assumptions.assumeTrue(canBind(v6), "no IPv6 loopback here");
        server = TcpServer.builder().bindAddress(v6).port(0).handler(ECHO_LINES).start();
        try (Connection c = TcpClient.connect(
                "::1", server.port(), ConnectOptions.defaults().withReadTimeout(WAIT))) {
            c.writeLine("over v6").flush();
            assertEquals("over v6", c.readLine(100));
            assertTrue(c.toString().startsWith("socket [0:0:0:0:0:0:0:1]:"), c.toString());
        }
    }

    private static boolean canBind(java.net.InetAddress a) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, a)) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
