package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.Interrupts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** A failure that happened is never turned into a cancel; a stop caused by the cancel is not a failure. */
class FailFastFailuresTest {

    @RepeatedTest(20)
    void threeChildrenFailingAtOnceAreAllReportedTheFirstThrownTheOthersSuppressed() throws Exception {
        // Each failure is thrown, then held in a finally until all three have been thrown: none of them
        // reaches the scope before every one has happened.
        CountDownLatch allThrown = new CountDownLatch(3);
        List<Tasklet<Void>> children = new ArrayList<>();
        TaskletFailedException e;
        try (var scope = TaskletScope.failFast("three-at-once").open()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                children.add(scope.fork("f" + n, () -> {
                    try {
                        throw new IllegalStateException("failure " + n);
                    } finally {
                        allThrown.countDown();
                        Interrupts.awaitUninterruptibly(allThrown); // the failures' cancels reach us here
                    }
                }));
            }
            e = assertThrows(TaskletFailedException.class, scope::join);
            assertEquals(3, scope.failureCount());
        }
        assertEquals(2, e.getSuppressed().length, "the two later failures are attached");
        Set<String> messages = new HashSet<>();
        messages.add(e.getCause().getMessage());
        for (Throwable s : e.getSuppressed()) {
            messages.add(s.getMessage());
        }
        assertEquals(Set.of("failure 0", "failure 1", "failure 2"), messages);
        for (Tasklet<Void> t : children) {
            assertEquals(TaskletState.FAILED, t.state(), t.name());
        }
        assertTrue(e.taskletName().startsWith("f"));
    }

    @Test
    void whatTheCancelCausedStaysACancel() throws Exception {
        CountDownLatch blocked = new CountDownLatch(2);
        IllegalStateException boom = new IllegalStateException("the real failure");
        List<Tasklet<Void>> cancelled = new ArrayList<>();
        try (var scope = TaskletScope.failFast("cancel-shaped").open()) {
            // the interrupt, wrapped the usual way
            cancelled.add(scope.fork("wraps-the-interrupt", () -> {
                blocked.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException ie) {
                    throw new RuntimeException("interrupted", ie);
                }
            }));
            // waits for a tasklet that the cancel stops: its join says "cancelled"
            cancelled.add(scope.fork("joins-a-cancelled-one", () -> {
                try (var inner = TaskletScope.failFast("inner").open()) {
                    Tasklet<Void> sleeper = inner.fork("sleeper", () -> Thread.sleep(60_000));
                    blocked.countDown();
                    sleeper.join();
                }
            }));
            scope.fork("fails", () -> {
                blocked.await();
                throw boom;
            });
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            assertSame(boom, e.getCause());
            assertEquals(0, e.getSuppressed().length);
            assertEquals(1, scope.failureCount());
        }
        for (Tasklet<Void> t : cancelled) {
            assertEquals(TaskletState.CANCELLED, t.state(), t.name());
        }
    }

    @Test
    void aSupervisedChildFailingWhileCancelledIsReportedButNotRestarted() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger reported = new AtomicInteger();
        AtomicInteger restarts = new AtomicInteger();
        Tasklet<Void> t;
        try (var scope = TaskletScope.supervise("failing-on-cancel")
                .restart(RestartPolicy.backoff(java.time.Duration.ZERO, java.time.Duration.ZERO))
                .onFailure((child, failure, restart) -> {
                    reported.incrementAndGet();
                    if (restart) {
                        restarts.incrementAndGet();
                    }
                })
                .open()) {
            t = scope.fork("cleans-up-badly", () -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException ie) {
                    throw new UncheckedIOException(new IOException("cleanup failed"));
                }
            });
            running.await();
            t.cancel();
            assertThrows(TaskletFailedException.class, () -> t.join(java.time.Duration.ofSeconds(20)));
        }
        assertEquals(TaskletState.FAILED, t.state(), "a failure of its own, though it was cancelled");
        assertEquals(1, reported.get());
        assertEquals(0, restarts.get(), "a tasklet being cancelled is not restarted");
    }
}
