package dev.warren.tasklets.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.NoPinningExtension;
import dev.warren.tasklets.testing.PinCarrier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PinningMonitorTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static PinningMonitor monitor;

    @BeforeAll
    static void start() {
        monitor =
                PinningMonitor.builder().reportName("pinning-test").keepLast(4).start();
    }

    @AfterAll
    static void stop() {
        monitor.close();
        monitor.close();
        assertFalse(Reports.names().contains("pinning-test"));
        assertFalse(monitor.isRunning());
        assertThrows(IllegalStateException.class, () -> monitor.awaitDelivered(DELIVERY));
    }

    private static List<PinEvent> pinnedBy(String thread, PinningMonitor.Mark from, PinningMonitor.Mark to)
            throws InterruptedException {
        assertTrue(monitor.awaitDelivered(DELIVERY), "JFR delivered within " + DELIVERY);
        List<PinEvent> all = monitor.events(from, to);
        // this test pins on purpose: keep the suite-wide guard from failing it
        NoPinningExtension.acknowledge(all);
        return all.stream().filter(e -> e.threadName().equals(thread)).toList();
    }

    @Test
    void blockingInAClassInitializerPinsAndIsOurs() throws InterruptedException {
        long oursBefore = monitor.pinnedOursCount();
        PinningMonitor.Mark t0 = monitor.mark();
        PinCarrier.pin("monitor-test-pinner");
        PinningMonitor.Mark t1 = monitor.mark();
        List<PinEvent> events = pinnedBy("monitor-test-pinner", t0, t1);

        assertEquals(1, events.size(), () -> "events: " + events);
        PinEvent e = events.get(0);
        assertEquals("pinned", e.kind());
        assertTrue(e.ours(), e.describe());
        assertTrue(e.ourFrame().startsWith("dev.warren.tasklets.testing.SleepsInClinit"), e.ourFrame());
        assertTrue(e.frames().stream().anyMatch(f -> f.contains("<clinit>")), e.describe());
        assertTrue(e.frames().size() <= PinningMonitor.FRAMES);
        assertFalse(e.frames().get(0).startsWith("java.lang.VirtualThread."), e.describe());
        assertTrue(e.duration().toMillis() >= 15, e.describe());
        assertTrue(monitor.pinnedOursCount() >= oursBefore + 1);
        assertTrue(monitor.timeOf(t0).isPresent() && monitor.timeOf(t1).isPresent());

        Map<?, ?> report = (Map<?, ?>) Reports.snapshot("pinning-test").orElseThrow();
        assertEquals(true, report.get("running"));
        assertTrue(((Number) report.get("pinned_ours")).longValue() >= 1, report.toString());
        assertTrue(Reports.json("pinning-test").orElseThrow().contains("monitor-test-pinner"));
        assertTrue(monitor.recent().size() <= 4);
    }

    @Test
    void aWindowWithoutPinningIsEmptyAndNeighbouringPinsStayOutside() throws InterruptedException {
        PinningMonitor.Mark start = monitor.mark();
        PinCarrier.pin("monitor-test-before");
        PinningMonitor.Mark t0 = monitor.mark();
        ReentrantLock lock = new ReentrantLock();
        Thread t = Thread.ofVirtual().name("monitor-test-polite").start(() -> {
            lock.lock();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        t.join();
        PinningMonitor.Mark t1 = monitor.mark();
        PinCarrier.pin("monitor-test-after");
        assertTrue(monitor.awaitDelivered(DELIVERY));
        List<PinEvent> inside = monitor.events(t0, t1);
        NoPinningExtension.acknowledge(monitor.events(start, null));
        assertEquals(
                List.of(),
                inside.stream()
                        .filter(e -> e.threadName().startsWith("monitor-test"))
                        .toList());
    }

    /**
     * JEP 491: blocking while holding a monitor pins on JDK 21-23 and no longer does from JDK 24 on.
     * Whichever JDK runs the suite, this checks its side of that line.
     */
    @Test
    void blockingInsideSynchronizedPinsOnlyBeforeJdk24() throws InterruptedException {
        Object monitorLock = new Object();
        PinningMonitor.Mark t0 = monitor.mark();
        Thread t = Thread.ofVirtual().name("monitor-test-sync").start(() -> {
            synchronized (monitorLock) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        t.join();
        PinningMonitor.Mark t1 = monitor.mark();
        List<PinEvent> events = pinnedBy("monitor-test-sync", t0, t1);
        if (Runtime.version().feature() < 24) {
            assertEquals(1, events.size(), () -> "JDK " + Runtime.version() + " pins in synchronized: " + events);
        } else {
            assertEquals(List.of(), events, "JDK " + Runtime.version() + " must not pin in synchronized");
        }
    }

    @Test
    void builderValidatesAndSharedIsOneRunningInstance() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> PinningMonitor.builder().keepLast(-3));
        assertTrue(e.getMessage().contains("-3"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> PinningMonitor.builder().prefix(" "));
        PinningMonitor shared = PinningMonitor.shared();
        assertTrue(shared == PinningMonitor.shared() && shared.isRunning());
        assertTrue(Reports.names().contains("pinning"));
        assertEquals(PinningMonitor.DEFAULT_PREFIX, shared.prefix());
    }
}
