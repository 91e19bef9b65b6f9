package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A scope joined or closed from its own subtree would wait for its caller forever: it refuses, saying so.
 * Each test is bounded, so a missing check fails it instead of hanging the suite.
 */
class SelfWaitTest {
    static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void aChildCannotCloseOrJoinItsOwnScope() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<Throwable> onClose = new AtomicReference<>();
            AtomicReference<Throwable> onJoin = new AtomicReference<>();
            AtomicReference<Boolean> inside = new AtomicReference<>();
            try (var scope = TaskletScope.supervise("self-close").open()) {
                assertFalse(scope.isCallerInside(), "the opening thread is not inside");
                Tasklet<Void> child = scope.fork("closer", () -> {
                    inside.set(scope.isCallerInside());
                    onClose.set(assertThrows(IllegalStateException.class, scope::close));
                    onJoin.set(assertThrows(IllegalStateException.class, scope::join));
                });
                child.join();
                assertEquals(TaskletState.DONE, child.state());
                // the refused close changed nothing: the scope still forks and runs
                assertEquals(42, scope.fork("after", () -> 42).join());
            }
            assertTrue(inside.get());
            assertTrue(
                    onClose.get()
                            .getMessage()
                            .contains("scope 'self-close' cannot be closed from its own tasklet 'closer'"),
                    onClose.get().getMessage());
            assertTrue(
                    onJoin.get().getMessage().contains("cannot be joined"),
                    onJoin.get().getMessage());
        });
    }

    @Test
    void aTaskletFurtherDownCannotCloseAnAncestorScope() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (var outer = TaskletScope.failFast("outer").open()) {
                outer.fork("middle", () -> {
                    try (var inner = TaskletScope.failFast("inner").open()) {
                        inner.fork("grandchild", () -> {
                            failure.set(assertThrows(IllegalStateException.class, outer::close));
                            assertTrue(inner.isCallerInside() && outer.isCallerInside());
                        });
                        inner.join();
                    }
                });
                outer.join();
            }
            assertTrue(
                    failure.get().getMessage().contains("scope 'outer'"),
                    failure.get().getMessage());
        });
    }

    @Test
    void aFirstSuccessChildCannotJoinItsScope() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<FirstSuccessScope<String>> self = new AtomicReference<>();
            try (var scope = TaskletScope.<String>firstSuccess("race").open()) {
                self.set(scope);
                scope.fork("joiner", () -> {
                    assertThrows(IllegalStateException.class, () -> self.get().join());
                    return "refused";
                });
                assertEquals("refused", scope.join());
            }
        });
    }

    @Test
    void aScopeOpenedElsewhereMayBeClosedFromATasklet() {
        assertTimeoutPreemptively(BOUND, () -> {
            CountDownLatch release = new CountDownLatch(1);
            TaskletScope scope = TaskletScope.supervise("closed-by-a-stranger").open();
            scope.fork("worker", () -> release.await());
            Tasklet<Void> stranger = Tasklets.start("stranger", () -> {
                assertFalse(scope.isCallerInside());
                scope.close(); // cancels the worker and waits for it: fine from outside the scope
            });
            stranger.join();
            assertEquals(0, scope.liveCount());
        });
    }

    @Test
    void aJobCannotCloseItsOwnQueue() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<Throwable> direct = new AtomicReference<>();
            AtomicReference<Throwable> nested = new AtomicReference<>();
            try (JobQueue q = JobQueue.builder("self-closing").maxConcurrency(2).start()) {
                q.submit(() -> {
                            direct.set(assertThrows(IllegalStateException.class, q::close));
                            try (var scope = TaskletScope.failFast("job's own").open()) {
                                scope.fork("below the job", () -> {
                                    nested.set(assertThrows(
                                            IllegalStateException.class,
                                            () -> q.awaitTermination(Duration.ofSeconds(1))));
                                });
                                scope.join();
                            }
                            return null;
                        })
                        .get();
                assertFalse(q.isShutdown(), "the refused close did not shut the queue down");
                assertTrue(q.tryAdd(() -> {}));
            }
            assertTrue(
                    direct.get().getMessage().contains("jobq 'self-closing'"),
                    direct.get().getMessage());
            assertTrue(
                    nested.get().getMessage().contains("jobq 'self-closing'"),
                    nested.get().getMessage());
        });
    }

    @Test
    void aChildsCleanupMayCloseItsScopeWhileTheScopeIsClosing() {
        assertTimeoutPreemptively(BOUND, () -> {
            CountDownLatch running = new CountDownLatch(1);
            AtomicReference<Throwable> fromCleanup = new AtomicReference<>();
            AtomicReference<Boolean> bounded = new AtomicReference<>();
            TaskletScope scope = TaskletScope.supervise("closed-twice").open();
            Tasklet<Void> child = scope.fork("cleans-up", () -> {
                try {
                    running.countDown();
                    new CountDownLatch(1).await();
                } finally {
                    // a cleanup path that closes "its" scope: the scope is closing already, so it returns
                    try {
                        scope.close();
                        bounded.set(scope.closeWithin(Duration.ofSeconds(1)));
                    } catch (Throwable t) {
                        fromCleanup.set(t);
                    }
                }
            });
            running.await();
            scope.close();
            assertEquals(null, fromCleanup.get(), "a close of a closing scope from inside returns");
            assertFalse(bounded.get(), "its children (the caller) were still running");
            assertEquals(TaskletState.CANCELLED, child.state());
        });
    }

    @Test
    void aSecondCloserFromOutsideWaitsForTheChildrenToo() {
        assertTimeoutPreemptively(BOUND, () -> {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            TaskletScope scope = TaskletScope.supervise("two-closers").open();
            Tasklet<Void> child = scope.fork("slow to stop", () -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    cancelled.countDown();
                    release.await(); // a slow cleanup; a second interrupt is not coming
                }
            });
            running.await();
            Tasklet<Void> first = Tasklets.start("first closer", scope::close);
            cancelled.await();
            AtomicReference<TaskletState> seenBySecond = new AtomicReference<>();
            Tasklet<Void> second = Tasklets.start("second closer", () -> {
                scope.close();
                seenBySecond.set(child.state());
            });
            await().atMost(BOUND)
                    .until(() -> Tasklets.snapshot().tasklets().stream()
                            .anyMatch(t ->
                                    t.name().equals("second closer") && "scope 'two-closers'".equals(t.waitingOn())));
            release.countDown();
            second.join();
            first.join();
            assertTrue(seenBySecond.get().isTerminal(), "the second close returned before the child ended");
        });
    }
}
