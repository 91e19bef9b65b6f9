package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A close that cannot finish says so, at a slow rate, and can be bounded. */
class StuckCloseTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String REPORT = "has been closing for";

    /** A task that ignores cancellation: it swallows every interrupt until {@code release}. */
    static void swallowInterruptsUntil(CountDownLatch release) {
        for (; ; ) {
            try {
                release.await();
                return;
            } catch (InterruptedException swallowed) {
                // the bug under test: the cancel is ignored
            }
        }
    }

    @Test
    void aCloseThatCannotFinishReportsEachStuckTaskletWithItsStackAtDoublingPauses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        try (LogCapture log = LogCapture.start()) {
            TaskletScope scope = TaskletScope.supervise("stuck-scope")
                    .closeWarningAfter(Duration.ofMillis(50))
                    .open();
            scope.fork("swallower", () -> {
                running.countDown();
                swallowInterruptsUntil(release);
            });
            scope.fork("well-behaved", () -> Thread.sleep(Duration.ofHours(1)));
            running.await();
            long t0 = System.nanoTime();
            Tasklet<Void> closer = Tasklets.start("closer", scope::close);
            await().atMost(WAIT)
                    .until(() ->
                            log.lines("WARN", "scope 'stuck-scope' " + REPORT).size() >= 3);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            // reports at 50, 150, 350 ms...: the pause doubles each time, so three cannot come sooner
            assertTrue(elapsedMs >= 350, "three reports after " + elapsedMs + " ms");
            assertFalse(closer.isDone(), "close() still waits");
            String text = log.text();
            String first = text.substring(text.indexOf("scope 'stuck-scope' " + REPORT));
            assertTrue(first.contains("1 tasklet still running"), first);
            assertTrue(first.contains("tasklet 'swallower' (id "), first);
            assertTrue(first.contains("at java.base/java.util.concurrent.CountDownLatch.await"), first);
            assertTrue(first.contains("at dev.warren.tasklets.StuckCloseTest.swallowInterruptsUntil"), first);
            assertFalse(
                    first.substring(0, first.indexOf("next report in")).contains("well-behaved"),
                    "a cancelled tasklet that ended is not named");
            release.countDown();
            closer.join(WAIT);
            int reports = log.lines(REPORT).size();
            long totalMs = (System.nanoTime() - t0) / 1_000_000;
            // at most one report per doubling: 50 * (2^k - 1) <= total
            assertTrue(50L * ((1L << reports) - 1) <= totalMs + 50, reports + " reports in " + totalMs + " ms");
        }
    }

    @Test
    void aBoundedCloseReturnsFalseWhileATaskletIgnoresItsCancelAndTrueOnceItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        TaskletScope scope = TaskletScope.failFast("bounded-close").open();
        Tasklet<Void> t = scope.fork("swallower", () -> {
            running.countDown();
            swallowInterruptsUntil(release);
        });
        running.await();
        assertFalse(scope.closeWithin(Duration.ofMillis(100)));
        assertTrue(scope.isCancelled());
        assertEquals(1, scope.liveCount());
        assertThrows(IllegalStateException.class, () -> scope.fork("late", () -> 1), "closed to forks");
        assertTrue(
                Tasklets.snapshot().findScope("bounded-close").isPresent(),
                "a scope that could not close stays visible in the registry");
        release.countDown();
        assertTrue(scope.closeWithin(WAIT));
        assertEquals(TaskletState.CANCELLED, t.state());
        assertTrue(Tasklets.snapshot().findScope("bounded-close").isEmpty());
        scope.close(); // harmless afterwards
    }

    @Test
    void aBoundedCloseOfWellBehavedChildrenIsAnOrdinaryClose() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            TaskletScope scope = TaskletScope.supervise("quick-close")
                    .closeWarningAfter(Duration.ofMillis(1))
                    .open();
            List<Tasklet<Void>> sleepers = List.of(
                    scope.fork("a", () -> Thread.sleep(Duration.ofHours(1))),
                    scope.fork("b", () -> Thread.sleep(Duration.ofHours(1))));
            assertTrue(scope.closeWithin(WAIT));
            for (Tasklet<Void> s : sleepers) {
                assertEquals(TaskletState.CANCELLED, s.state());
            }
            assertTrue(scope.closeWithin(Duration.ZERO), "closed already");
            assertEquals(
                    List.of(),
                    log.lines(REPORT).stream()
                            .filter(l -> l.contains("quick-close"))
                            .toList());
        }
    }

    @Test
    void badTimeoutsAreRefusedNamingTheValueAndHugeOnesSaturate() throws Exception {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TaskletScope.failFast("x").closeWarningAfter(Duration.ZERO));
        assertTrue(e.getMessage().contains("closeWarningAfter must be > 0, was PT0S"), e.getMessage());
        try (var forever = TaskletScope.failFast("warns-never")
                .closeWarningAfter(Duration.ofDays(365L * 1000))
                .open()) {
            forever.fork("quick", () -> 1).join();
        }
        try (var scope = TaskletScope.failFast("negative").open()) {
            e = assertThrows(IllegalArgumentException.class, () -> scope.closeWithin(Duration.ofMillis(-1)));
            assertTrue(e.getMessage().contains("-0.001"), e.getMessage());
        }
    }
}
