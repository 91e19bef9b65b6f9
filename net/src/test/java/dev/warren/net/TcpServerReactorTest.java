package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@link TcpServerTest} again with {@code reactor(true)}, plus what only a reactor has: a write
 * that waits for room in the socket's send buffer, a client that sends faster than its tasklet reads
 * (the reactor's stash fills and the reactor stops reading that socket until the tasklet catches up),
 * and many connections sharing the one reactor.
 */
class TcpServerReactorTest extends TcpServerTest {
    @Override
    TcpServer.Builder builder() {
        return local().reactor(true);
    }

    /** Echoes raw bytes in 1 KB reads until the client's end of stream. */
    private static final ConnectionHandler ECHO_BYTES = conn -> {
        byte[] b = new byte[1024];
        for (int n; (n = conn.readUpTo(b, 0, b.length)) > 0; ) {
            conn.write(b, 0, n);
            if (conn.available() == 0) {
                conn.flush();
            }
        }
        conn.flush();
    };

    @Test
    void bulkBothWaysWaitsForRoomAndHoldsBackTheSender() throws Exception {
        // 16 MB is far more than the socket buffers on both sides: the server's writes wait for
        // writability while the client still sends, and the reactor's stash fills and pauses.
        byte[] data = new byte[16 << 20];
        new Random(7).nextBytes(data);
        CountDownLatch serverReading = new CountDownLatch(1);
        server = builder()
                .handler(conn -> {
                    serverReading.countDown();
                    ECHO_BYTES.handle(conn);
                })
                .start();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = s.getOutputStream();
            Tasklet<Void> writer = Tasklets.start("bulk writer", () -> {
                serverReading.await();
                for (int off = 0; off < data.length; off += 64 * 1024) {
                    out.write(data, off, Math.min(64 * 1024, data.length - off));
                }
                s.shutdownOutput();
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(data.length);
            writer.join();
            assertEquals(-1, in.read(), "the server closes after echoing everything");
            assertArrayEquals(data, back);
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == 1);
        assertEquals(2L * data.length, server.stats().bytesIn() + server.stats().bytesOut());
    }

    @Test
    void aSlowHandlerLosesNothingFromAFastSender() throws Exception {
        // The handler reads 100 bytes at a time and yields between reads; the client sends 4 MB at once.
        byte[] data = new byte[4 << 20];
        new Random(11).nextBytes(data);
        AtomicLong sum = new AtomicLong();
        server = builder()
                .handler(conn -> {
                    byte[] b = new byte[100];
                    long total = 0;
                    long s = 0;
                    for (int n; (n = conn.readUpTo(b, 0, b.length)) > 0; ) {
                        for (int i = 0; i < n; i++) {
                            s = s * 31 + b[i];
                        }
                        total += n;
                    }
                    sum.set(s);
                    conn.writeLong(total).flush();
                })
                .start();
        long expected = 0;
        for (byte x : data) {
            expected = expected * 31 + x;
        }
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) WAIT.toMillis());
            s.getOutputStream().write(data);
            s.shutdownOutput();
            byte[] total = s.getInputStream().readNBytes(8);
            assertEquals(data.length, java.nio.ByteBuffer.wrap(total).getLong());
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == 1);
        assertEquals(expected, sum.get());
    }

    @Test
    void fiveHundredConnectionsShareOneReactor() throws Exception {
        server = builder().handler(ECHO_LINES).start();
        int clients = 500;
        List<Tasklet<Void>> ts = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            ts.add(Tasklets.start("client " + i, () -> {
                try (Connection c = connect(server)) {
                    for (int k = 0; k < 20; k++) {
                        c.writeLine(id + ":" + k).flush();
                        assertEquals(id + ":" + k, c.readLine(100));
                    }
                }
            }));
        }
        for (Tasklet<Void> t : ts) {
            t.join();
        }
        await().atMost(WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == clients);
        assertEquals(clients, server.stats().accepted());
        assertTrue(
                Tasklets.snapshot().tasklets().stream().anyMatch(t -> t.name().startsWith("reactor ")),
                "the reactor runs as a tasklet of the server");
    }

    @Test
    void serversClosedRightAfterStartLeaveNoDescriptorBehind() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc (Linux)");
        long before = countFds(fds);
        for (int i = 0; i < 50; i++) {
            // the reactor's tasklet may be cancelled before it ever runs: its selector must still close
            builder().handler(ECHO_LINES).start().close();
        }
        // a selector is two descriptors (epoll and its wake-up eventfd): 50 leaked would be 100
        await().atMost(WAIT).until(() -> countFds(fds) <= before + 10);
    }

    private static long countFds(Path fds) throws java.io.IOException {
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        }
    }
}
