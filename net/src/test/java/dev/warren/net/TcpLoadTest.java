package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;

/** Many connections at once on loopback, bounded in count and time. */
class TcpLoadTest {

    @RepeatedTest(3)
    void thousandConcurrentConnectionsExchangeMessages() throws Exception {
        int connections = 1000;
        int messages = 20;
        try (TcpServer server = TcpServerTest.local()
                .name("load")
                .handler(TcpServerTest.ECHO_LINES)
                .start()) {
            CountDownLatch allConnected = new CountDownLatch(connections);
            try (var clients = TaskletScope.failFast("clients")
                    .deadline(Duration.ofSeconds(30))
                    .open()) {
                for (int i = 0; i < connections; i++) {
                    int id = i;
                    clients.fork("client " + i, () -> {
                        try (Connection c = TcpServerTest.connect(server)) {
                            allConnected.countDown();
                            allConnected.await(); // all 1000 are open at the same time
                            for (int m = 0; m < messages; m++) {
                                c.writeLine("client " + id + " message " + m).flush();
                                String back = c.readLine(100);
                                if (!("client " + id + " message " + m).equals(back)) {
                                    throw new AssertionError("client " + id + " got " + back);
                                }
                            }
                        }
                    });
                }
                clients.join();
            }
            await().atMost(TcpServerTest.WAIT).until(() -> server.stats().closed(CloseReason.NORMAL) == connections);
            TcpServerStats st = server.stats();
            assertEquals(connections, st.accepted());
            assertEquals(connections, st.closedTotal(), st.toString());
            assertEquals(st.bytesIn(), st.bytesOut());
        }
    }

    @RepeatedTest(3)
    void closeUnderLoadReturnsWithinTheDrainTimeoutAndLeavesNoTasklet() throws Exception {
        int connections = 200;
        Duration drain = Duration.ofMillis(300);
        TcpServer server = TcpServerTest.local()
                .name("busy")
                .drainTimeout(drain)
                .handler(TcpServerTest.ECHO_LINES)
                .start();
        AtomicLong echoed = new AtomicLong();
        // Every client reports once, connected or not, so a failed connect fails the test with its
        // cause instead of leaving the latch short.
        CountDownLatch reported = new CountDownLatch(connections);
        Queue<Throwable> connectFailures = new ConcurrentLinkedQueue<>();
        try (var clients = TaskletScope.supervise("busy-clients").open()) {
            for (int i = 0; i < connections; i++) {
                clients.fork("client " + i, () -> {
                    Connection c;
                    try {
                        c = TcpServerTest.connect(server);
                    } catch (Throwable t) {
                        connectFailures.add(t);
                        reported.countDown();
                        return;
                    }
                    reported.countDown();
                    try (c) {
                        for (int m = 0; ; m++) { // until the server goes away
                            c.writeLine("m" + m).flush();
                            if (c.readLine(100) == null) {
                                return;
                            }
                            echoed.incrementAndGet();
                        }
                    } catch (IOException expected) {
                        // reset or closed by the shutdown: the point of the test
                    }
                });
            }
            if (!reported.await(TcpServerTest.WAIT.toSeconds() * 3, TimeUnit.SECONDS)) {
                fail(reported.getCount() + " clients still connecting; threads: " + dumpThreads("close-under-load")
                        + "\n" + Tasklets.snapshot().toText());
            }
            assertEquals(List.of(), List.copyOf(connectFailures), "connect failures");
            await().atMost(TcpServerTest.WAIT).until(() -> echoed.get() > 10L * connections);
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(drain.plusSeconds(3)) < 0, "close took " + took);
            TcpServerTest.assertNoTaskletOf(server);
            clients.join();
        }
        TcpServerStats st = server.stats();
        assertEquals(0, st.active(), st.toString());
        // Peers still in the kernel backlog when the listener closed were never accepted (they are reset).
        assertTrue(st.accepted() > 0 && st.accepted() <= connections, st.toString());
        assertEquals(st.accepted(), st.closedTotal(), st.toString());
        assertEquals(st.accepted(), st.closed(CloseReason.SHUTDOWN), st.toString());
    }

    /** Writes every thread's stack, virtual ones included, to target/ and returns the file's path. */
    static Path dumpThreads(String name) throws IOException {
        Path file = Path.of("target", name + "-" + System.nanoTime() + ".threads.txt")
                .toAbsolutePath();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.TEXT_PLAIN);
        // the build directory may not outlive the run (CI): the log keeps the dump
        System.err.println(
                "---- thread dump " + file + " ----\n" + Files.readString(file) + "\n---- end of thread dump ----");
        return file;
    }
}
