package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Scope and restart-policy edges that mutation testing showed unpinned: the exact boundaries of the
 * argument checks, the first-success scope's own cancel, name, live count, options and close.
 */
class ScopeEdgeCasesTest {

    @Test
    void boundariesOfTheArgumentChecks() {
        assertThrows(
                IllegalArgumentException.class, () -> TaskletScope.failFast("x").maxConcurrency(0));
        try (TaskletScope s = TaskletScope.failFast("x").maxConcurrency(1).open()) {
            assertEquals("x", s.name());
            assertTrue(s.toString().contains("x"), s.toString());
        }
        RestartPolicy equal = RestartPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(5)); // max == initial
        assertEquals(Duration.ofMillis(5), equal.backoffFor(3));
        RestartPolicy flat = equal.withMultiplier(1.0); // exactly 1: allowed
        assertEquals(Duration.ofMillis(5), flat.backoffFor(10));
        assertThrows(IllegalArgumentException.class, () -> equal.withMultiplier(0.99));
        assertThrows(
                IllegalStateException.class,
                () -> TaskletScope.failFast("x").restart(RestartPolicy.backoff(Duration.ZERO, Duration.ZERO)));
    }

    @Test
    void aFirstSuccessScopeCancelsReportsAndCloses() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        FirstSuccessScope<String> s = TaskletScope.<String>firstSuccess("fs")
                .deadline(Duration.ofMinutes(1))
                .maxConcurrency(2)
                .open();
        Tasklet<String> slow = s.fork("slow", () -> {
            started.countDown();
            Thread.sleep(Duration.ofMinutes(5));
            return "late";
        });
        started.await();
        assertEquals("fs", s.name());
        assertEquals(1, s.liveCount());
        s.cancel();
        s.close();
        assertEquals(0, s.liveCount());
        assertEquals(TaskletState.CANCELLED, slow.state());
        assertThrows(
                IllegalArgumentException.class,
                () -> TaskletScope.<String>firstSuccess("fs").maxConcurrency(0));
    }
}
