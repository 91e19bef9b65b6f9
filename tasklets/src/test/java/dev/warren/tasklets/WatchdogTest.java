package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.LogStream;
import dev.warren.tasklets.observe.LogStreams;
import dev.warren.tasklets.observe.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeats: an overdue one is reported; a hung supervised child is restarted, then given up on. */
@Timeout(120)
class WatchdogTest {
    private static final AtomicInteger RUN = new AtomicInteger();

    private static List<Watchdog.Event> eventsOf(String name) {
        return Watchdog.events().stream().filter(e -> e.name().equals(name)).toList();
    }

    @RepeatedTest(3)
    void aHungSupervisedChildIsReportedRestartedAndGivenUpOnAfterTheRateLimit() throws Exception {
        String beat = "wd-hang-" + RUN.incrementAndGet();
        AtomicInteger attempts = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Boolean> restarts = new CopyOnWriteArrayList<>();
        // libmtev's retries=2 per span=1 min: the third hang is not restarted
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .withMaxRestarts(2, Duration.ofMinutes(1));
        Tasklet<Void> child;
        try (var scope = TaskletScope.supervise("wd-scope")
                .restart(policy)
                .onFailure((t, e, restart) -> {
                    failures.add(e);
                    restarts.add(restart);
                })
                .open()) {
            child = scope.fork("hangs", () -> {
                attempts.incrementAndGet();
                try (Heartbeat hb = Watchdog.registerRestarting(beat, Duration.ofMillis(100))) {
                    hb.beat();
                    new CountDownLatch(1).await(); // stops beating: hung until the watchdog interrupts it
                }
            });
            scope.join();
        }
        assertEquals(TaskletState.FAILED, child.state());
        assertEquals(3, attempts.get(), "1 run + 2 restarts");
        assertEquals(List.of(true, true, false), restarts);
        for (Throwable f : failures) {
            WatchdogTimeoutException w = assertInstanceOf(WatchdogTimeoutException.class, f);
            assertTrue(w.getMessage().contains(beat), w.getMessage());
            assertInstanceOf(InterruptedException.class, w.getCause());
        }
        List<String> kinds = eventsOf(beat).stream().map(Watchdog.Event::kind).toList();
        assertEquals(List.of("overdue", "restarted", "overdue", "restarted", "overdue", "gave up"), kinds);
        Watchdog.Event overdue = eventsOf(beat).get(0);
        assertTrue(overdue.scope().contains("wd-scope / hangs"), overdue.scope());
        assertTrue(overdue.lateMillis() >= 0);
        assertTrue(
                overdue.stack().stream().anyMatch(f -> f.contains("CountDownLatch.await")),
                overdue.stack().toString());
        List<String> lines = LogStreams.WATCHDOG.read(-1, -1).stream()
                .map(LogStream.Line::text)
                .filter(l -> l.contains(beat))
                .toList();
        assertTrue(
                lines.stream().anyMatch(l -> l.contains("is overdue") && l.contains("CountDownLatch")),
                lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("is not restarted")), lines.toString());
        String metrics = MetricRegistry.global().prometheusText();
        assertTrue(metrics.contains("warren_watchdog_gave_up_total"), metrics);
    }

    /** A task that keeps the interrupt flag set as it fails (as well-behaved code does) is restarted all the same. */
    @Test
    void aHungChildThatRestoresItsInterruptIsStillRestarted() throws Exception {
        String beat = "wd-flag-" + RUN.incrementAndGet();
        AtomicInteger attempts = new AtomicInteger();
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(1))
                .withMaxRestarts(1, Duration.ofMinutes(1));
        Tasklet<Void> child;
        try (var scope = TaskletScope.supervise("wd-flag-scope")
                .restart(policy)
                .onFailure((t, e, restart) -> {})
                .open()) {
            child = scope.fork("keeps-flag", () -> {
                attempts.incrementAndGet();
                try (Heartbeat hb = Watchdog.registerRestarting(beat, Duration.ofMillis(100))) {
                    hb.beat();
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.IOException("gave up waiting", e);
                }
            });
            scope.join();
        }
        assertEquals(2, attempts.get(), "the backoff before the restart was not cut short by the interrupt");
        assertEquals(TaskletState.FAILED, child.state());
        assertEquals(
                List.of("overdue", "restarted", "overdue", "gave up"),
                eventsOf(beat).stream().map(Watchdog.Event::kind).toList());
    }

    @Test
    void anOverdueHeartbeatIsReportedOnceAndAnIdleOneNever() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch idleRegistered = new CountDownLatch(1);
        Tasklet<Void> slow = Tasklets.start("wd-slow", () -> {
            try (Heartbeat hb = Watchdog.register("wd-report-only", Duration.ofMillis(50))) {
                hb.beat();
                release.await();
            }
        });
        Tasklet<Void> idle = Tasklets.start("wd-idle", () -> {
            try (Heartbeat hb = Watchdog.register("wd-idle-beat", Duration.ofMillis(50))) {
                hb.idle();
                idleRegistered.countDown();
                release.await();
            }
        });
        idleRegistered.await();
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> !eventsOf("wd-report-only").isEmpty());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> beats =
                (List<Map<String, Object>>) Watchdog.report().get("heartbeats");
        Map<String, Object> mine = beats.stream()
                .filter(m -> m.get("name").equals("wd-report-only"))
                .findFirst()
                .orElseThrow();
        assertEquals(true, mine.get("overdue"));
        assertTrue(((String) mine.get("scope")).endsWith("wd-slow"), mine.toString());
        Map<String, Object> idleOne = beats.stream()
                .filter(m -> m.get("name").equals("wd-idle-beat"))
                .findFirst()
                .orElseThrow();
        assertEquals(true, idleOne.get("idle"));
        assertEquals(TaskletState.RUNNING, slow.state(), "a report-only heartbeat does not stop its tasklet");
        release.countDown();
        slow.join();
        idle.join();
        assertEquals(1, eventsOf("wd-report-only").size(), "reported once per missed beat");
        assertEquals(List.of(), eventsOf("wd-idle-beat"), "waiting for work is not a hang");
    }

    @Test
    void badRegistrationsAreRefusedWithTheirReason() throws Exception {
        IllegalStateException notSupervised = assertThrows(
                IllegalStateException.class, () -> Watchdog.registerRestarting("x", Duration.ofSeconds(1)));
        assertTrue(notSupervised.getMessage().contains("is not a tasklet"), notSupervised.getMessage());
        Tasklet<String> t = Tasklets.start("wd-plain", () -> {
            try {
                Watchdog.registerRestarting("y", Duration.ofSeconds(1));
                return "registered";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(t.join().contains("'wd-plain' is not in a supervising scope"), t.join());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Watchdog.register("z", Duration.ZERO))
                .getMessage()
                .contains("PT0S"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Watchdog.stallThreshold(Duration.ofMillis(5)))
                .getMessage()
                .contains("PT0.005S"));
    }
}
