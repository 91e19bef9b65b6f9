package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.Interrupts;
import dev.warren.tasklets.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A close that cannot finish says so, at a slow rate, and can be bounded. Timing is only ever checked
 * from below (a report never comes before it is due), so a slow machine cannot fail these tests.
 */
class StuckCloseTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String REPORT = "has been closing for";
    static final long W_MS = 50;

    /** The reports of {@code scope} printed after {@code from} in the capture's text, each to its end. */
    static List<String> reportsAfter(LogCapture log, int from, String scope) {
        String text = log.text().substring(from);
        String start = "scope '" + scope + "' " + REPORT;
        List<String> out = new java.util.ArrayList<>();
        for (int i = text.indexOf(start); i >= 0; ) {
            int next = text.indexOf(start, i + 1);
            out.add(next < 0 ? text.substring(i) : text.substring(i, next));
            i = next;
        }
        return out;
    }

    @Test
    void aCloseThatCannotFinishReportsEachStuckTaskletWithItsStackAtDoublingPauses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        try (LogCapture log = LogCapture.start()) {
            TaskletScope scope = TaskletScope.supervise("stuck-scope")
                    .closeWarningAfter(Duration.ofMillis(W_MS))
                    .open();
            scope.fork("swallower", () -> {
                running.countDown();
                Interrupts.swallowUntil(release);
            });
            Tasklet<Void> wellBehaved = scope.fork("well-behaved", () -> {
                running.countDown();
                Thread.sleep(Duration.ofHours(1));
            });
            assertTrue(running.await(20, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            Tasklet<Void> closer = Tasklets.start("closer", scope::close);
            assertThrows(CancellationException.class, () -> wellBehaved.join(WAIT), "it stops when cancelled");
            int mark = log.text().length();
            await().atMost(WAIT)
                    .until(() -> !reportsAfter(log, mark, "stuck-scope").isEmpty());
            String report = reportsAfter(log, mark, "stuck-scope").get(0);
            assertTrue(report.contains("1 tasklet still running"), report);
            assertTrue(report.contains("tasklet 'swallower' (id "), report);
            assertTrue(report.contains("at java.base/java.util.concurrent.CountDownLatch.await"), report);
            assertTrue(report.contains("at dev.warren.tasklets.testing.Interrupts.swallowUntil"), report);
            assertFalse(report.contains("well-behaved"), "a cancelled tasklet that ended is not named: " + report);

            await().atMost(WAIT)
                    .until(() ->
                            log.lines("WARN", "scope 'stuck-scope' " + REPORT).size() >= 3);
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            // due after W, 2W, 4W of closing: the third cannot come sooner
            assertTrue(elapsedMs >= 4 * W_MS, "three reports after " + elapsedMs + " ms");
            assertFalse(closer.isDone(), "close() still waits");
            release.countDown();
            closer.join(WAIT);
            int reports = log.lines("scope 'stuck-scope' " + REPORT).size();
            long totalMs = (System.nanoTime() - t0) / 1_000_000;
            // report k is due after W * 2^(k-1): k reports need at least that long
            assertTrue(W_MS * (1L << (reports - 1)) <= totalMs, reports + " reports in " + totalMs + " ms");
        }
    }

    @Test
    void aBoundedCloseReturnsFalseWhileATaskletIgnoresItsCancelAndTrueOnceItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        try (LogCapture log = LogCapture.start()) {
            TaskletScope scope = TaskletScope.failFast("bounded-close")
                    .closeWarningAfter(Duration.ofMillis(W_MS))
                    .open();
            Tasklet<Void> t = scope.fork("swallower", () -> {
                running.countDown();
                Interrupts.swallowUntil(release);
            });
            running.await();
            assertFalse(scope.closeWithin(Duration.ofMillis(100)));
            assertTrue(scope.isCancelled());
            assertEquals(1, scope.liveCount());
            assertThrows(IllegalStateException.class, () -> scope.fork("late", () -> 1), "closed to forks");
            assertTrue(
                    Tasklets.snapshot().findScope("bounded-close").isPresent(),
                    "a scope that could not close stays visible in the registry");
            // nobody waits any more, but the stuck tasklet is still named while it runs
            int mark = log.text().length();
            await().atMost(WAIT)
                    .until(() -> !reportsAfter(log, mark, "bounded-close").isEmpty());
            release.countDown();
            assertTrue(scope.closeWithin(WAIT));
            assertEquals(TaskletState.CANCELLED, t.state());
            assertTrue(Tasklets.snapshot().findScope("bounded-close").isEmpty());
            scope.close(); // harmless afterwards
        }
    }

    @Test
    void aBoundedCloseOfWellBehavedChildrenIsAnOrdinaryClose() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            TaskletScope scope = TaskletScope.supervise("quick-close").open(); // the default warning, 10 s
            List<Tasklet<Void>> sleepers = List.of(
                    scope.fork("a", () -> Thread.sleep(Duration.ofHours(1))),
                    scope.fork("b", () -> Thread.sleep(Duration.ofHours(1))));
            assertTrue(scope.closeWithin(WAIT));
            for (Tasklet<Void> s : sleepers) {
                assertEquals(TaskletState.CANCELLED, s.state());
            }
            assertTrue(scope.closeWithin(Duration.ZERO), "closed already");
            assertEquals(List.of(), reportsAfter(log, 0, "quick-close"));
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
            forever.fork("sleeper", () -> Thread.sleep(Duration.ofHours(1)));
        } // a close that waits arms its report that far ahead without overflowing
        try (var scope = TaskletScope.failFast("negative").open()) {
            e = assertThrows(IllegalArgumentException.class, () -> scope.closeWithin(Duration.ofMillis(-1)));
            assertTrue(e.getMessage().contains("-0.001"), e.getMessage());
        }
    }
}
