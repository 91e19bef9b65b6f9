package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class TaskletScopeTest {

    // ---- fail-fast -----------------------------------------------------------------------------

    @Test
    void failFastCancelsSiblingsBlockedInSleepQueueTakeAndParkAndRethrowsTheFailure() throws Exception {
        CountDownLatch allBlocked = new CountDownLatch(3);
        IllegalStateException boom = new IllegalStateException("payment service down");
        List<Tasklet<?>> siblings = new ArrayList<>();
        try (var scope = TaskletScope.failFast("checkout").open()) {
            siblings.add(scope.fork("sleeper", () -> {
                allBlocked.countDown();
                Thread.sleep(Duration.ofHours(1));
            }));
            siblings.add(scope.fork("taker", () -> {
                allBlocked.countDown();
                return new LinkedBlockingQueue<String>().take();
            }));
            siblings.add(scope.fork("parker", () -> {
                allBlocked.countDown();
                while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park();
                }
                throw new InterruptedException("parked and interrupted");
            }));
            scope.fork("payer", () -> {
                allBlocked.await();
                throw boom;
            });
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            assertSame(boom, e.getCause());
            assertEquals("payer", e.taskletName());
            assertTrue(scope.isCancelled());
        }
        for (Tasklet<?> t : siblings) {
            assertEquals(TaskletState.CANCELLED, t.state(), t.name());
            assertThrows(CancellationException.class, t::join);
        }
    }

    @Test
    void failFastCancelsSiblingsBlockedInChannelReceiveChannelSendAndJobQueueAdd() throws Exception {
        Channel<String> empty = Channel.bounded(4);
        Channel<String> full = Channel.bounded(1);
        full.offer("filler");
        CountDownLatch holdWorker = new CountDownLatch(1);
        JobQueue jobs = JobQueue.builder("busy")
                .minConcurrency(1)
                .maxConcurrency(1)
                .backlog(1)
                .start();
        try {
            jobs.add(() -> holdWorker.await());
            jobs.add(() -> {}); // the backlog of 1 is now full
            List<Tasklet<?>> blocked = new ArrayList<>();
            try (var scope = TaskletScope.failFast("blocked-siblings").open()) {
                blocked.add(scope.fork("receiver", () -> empty.receive()));
                blocked.add(scope.fork("sender", () -> full.send("more")));
                blocked.add(scope.fork("adder", () -> jobs.add(() -> {})));
                await().until(() -> blocked.stream()
                        .allMatch(t -> Tasklets.snapshot()
                                .find(i -> i.id() == t.id())
                                .map(i -> i.waitingOn() != null)
                                .orElse(false)));
                scope.fork("failer", () -> {
                    throw new IOException("boom");
                });
                TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
                assertEquals("boom", e.getCause().getMessage());
            }
            for (Tasklet<?> t : blocked) {
                assertEquals(TaskletState.CANCELLED, t.state(), t.name());
            }
            assertEquals(0, empty.size());
            assertEquals(1, full.size(), "the cancelled send must not have delivered");
            assertEquals(1, jobs.stats().backlog(), "the cancelled add must not have queued");
        } finally {
            holdWorker.countDown();
            jobs.close();
        }
    }

    @Test
    void failFastKeepsLaterFailuresAsSuppressed() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch firstRecorded = new CountDownLatch(1);
        Tasklet<Void> second;
        try (var scope = TaskletScope.failFast("two-failures").open()) {
            scope.fork("first", () -> {
                bothRunning.countDown();
                bothRunning.await();
                throw new IOException("first");
            });
            second = scope.fork("second", () -> {
                bothRunning.countDown();
                // The first failure's cancel interrupts this wait; the tasklet then fails on its own,
                // with an error that is not the interrupt: that failure happened and is reported.
                try {
                    firstRecorded.await();
                } catch (InterruptedException ignored) {
                    // fall through to our own failure
                }
                throw new IOException("second");
            });
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            assertEquals("first", e.getCause().getMessage());
            assertEquals(1, e.getSuppressed().length);
            assertEquals("second", e.getSuppressed()[0].getMessage());
        }
        assertEquals(TaskletState.FAILED, second.state());
    }

    @Test
    void failFastWithIndependentFailuresReportsAllOfThem() throws Exception {
        CountDownLatch allThree = new CountDownLatch(3);
        try (var scope = TaskletScope.failFast("many").open()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                scope.fork("f" + n, () -> {
                    allThree.countDown();
                    allThree.await();
                    throw new IOException("failure " + n);
                });
            }
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            int reported = 1 + e.getSuppressed().length;
            // Each failure is either reported, or its tasklet was cancelled by the first one.
            assertTrue(reported >= 1 && reported <= 3, "reported " + reported);
            assertEquals(reported, scope.failureCount());
        }
    }

    @Test
    void successfulForksJoinNormallyAndKeepTheirResults() throws Exception {
        try (var scope = TaskletScope.failFast("ok").open()) {
            Tasklet<Integer> a = scope.fork("a", () -> 20);
            Tasklet<Integer> b = scope.fork("b", () -> 22);
            scope.join();
            assertEquals(42, a.result() + b.result());
            assertFalse(scope.isCancelled());
        }
    }

    // ---- first-success ------------------------------------------------------------------------

    @Test
    void firstSuccessReturnsTheWinnerAndCancelsTheRest() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Tasklet<String> loser;
        try (var scope = TaskletScope.<String>firstSuccess("resolve").open()) {
            loser = scope.fork("slow", () -> {
                never.await();
                return "slow";
            });
            scope.fork("failing", () -> {
                throw new IOException("no route");
            });
            scope.fork("fast", () -> "fast");
            assertEquals("fast", scope.join());
        }
        assertEquals(TaskletState.CANCELLED, loser.state());
    }

    @Test
    void firstSuccessWhenAllFailThrowsTheFirstWithTheOthersSuppressed() throws Exception {
        try (var scope = TaskletScope.<String>firstSuccess("all-fail").open()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                scope.fork("c" + n, () -> {
                    throw new IOException("failure " + n);
                });
            }
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            assertEquals(2, e.getSuppressed().length);
            assertTrue(e.getCause() instanceof IOException);
        }
    }

    @Test
    void firstSuccessWithNothingForkedSaysSo() throws Exception {
        try (var scope = TaskletScope.<String>firstSuccess("empty").open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, scope::join);
            assertTrue(e.getMessage().contains("no tasklet was forked"), e.getMessage());
        }
    }

    // ---- supervise ----------------------------------------------------------------------------

    @Test
    void superviseReportsFailuresAndSiblingsKeepRunning() throws Exception {
        List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        try (var scope = TaskletScope.supervise("workers")
                .onFailure((t, e, restart) -> reports.add(t.name() + ":" + e.getMessage() + ":" + restart))
                .open()) {
            Tasklet<String> steady = scope.fork("steady", () -> {
                release.await();
                return "done";
            });
            Tasklet<Void> crasher = scope.fork("crasher", () -> {
                throw new IOException("crash");
            });
            await().until(crasher::isDone);
            assertEquals(TaskletState.FAILED, crasher.state());
            assertEquals(TaskletState.RUNNING, steady.state());
            release.countDown();
            scope.join();
            assertEquals("done", steady.result());
            assertEquals(List.of("crasher:crash:false"), reports);
            assertEquals(1, scope.failureCount());
        }
    }

    @Test
    void superviseRestartsWithBackoffUntilTheTaskSucceeds() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Long> failureTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
        RestartPolicy policy = RestartPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(40));
        try (var scope = TaskletScope.supervise("flaky")
                .restart(policy)
                .onFailure((t, e, restart) -> failureTimes.add(System.nanoTime()))
                .open()) {
            Tasklet<Integer> t = scope.fork("flaky-child", () -> {
                if (attempts.incrementAndGet() < 4) {
                    throw new IOException("attempt " + attempts.get());
                }
                return attempts.get();
            });
            scope.join();
            assertEquals(4, t.result());
            assertEquals(3, scope.restartCount());
            assertEquals(3, scope.failureCount());
            // Pauses of 5, 10 and 20 ms were taken between the failures (never shorter).
            assertTrue(failureTimes.get(1) - failureTimes.get(0)
                    >= Duration.ofMillis(5).toNanos());
            assertTrue(failureTimes.get(2) - failureTimes.get(1)
                    >= Duration.ofMillis(10).toNanos());
        }
    }

    @Test
    void superviseGivesUpWhenTheRestartRateLimitIsHit() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Boolean> willRestart = new java.util.concurrent.CopyOnWriteArrayList<>();
        RestartPolicy policy =
                RestartPolicy.backoff(Duration.ZERO, Duration.ZERO).withMaxRestarts(3, Duration.ofMinutes(1));
        try (var scope = TaskletScope.supervise("doomed")
                .restart(policy)
                .onFailure((t, e, restart) -> willRestart.add(restart))
                .open()) {
            Tasklet<Void> t = scope.fork("always-fails", () -> {
                attempts.incrementAndGet();
                throw new IOException("nope");
            });
            scope.join();
            assertEquals(TaskletState.FAILED, t.state());
            assertEquals(4, attempts.get(), "1 run + 3 restarts");
            assertEquals(List.of(true, true, true, false), willRestart);
            assertEquals(3, scope.restartCount());
            assertEquals(4, scope.failureCount());
        }
    }

    @Test
    void anErrorIsNeverRestarted() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (var scope = TaskletScope.supervise("errors")
                .restart(RestartPolicy.backoff(Duration.ZERO, Duration.ZERO))
                .onFailure((t, e, restart) -> {})
                .open()) {
            Tasklet<Void> t = scope.fork("asserts", () -> {
                attempts.incrementAndGet();
                throw new AssertionError("bug");
            });
            scope.join();
            assertEquals(1, attempts.get());
            assertEquals(TaskletState.FAILED, t.state());
        }
    }

    @Test
    void cancellingDuringTheRestartPauseStopsTheChild() throws Exception {
        CountDownLatch failedOnce = new CountDownLatch(1);
        RestartPolicy slow = RestartPolicy.backoff(Duration.ofHours(1), Duration.ofHours(1));
        Tasklet<Void> t;
        try (var scope = TaskletScope.supervise("paused")
                .restart(slow)
                .onFailure((x, e, restart) -> failedOnce.countDown())
                .open()) {
            t = scope.fork("fails-once", () -> {
                throw new IOException("once");
            });
            failedOnce.await();
            await().until(() -> Tasklets.snapshot()
                    .find(i -> i.id() == t.id())
                    .map(i -> "restart backoff".equals(i.waitingOn()))
                    .orElse(false));
        }
        assertEquals(TaskletState.CANCELLED, t.state());
    }

    @Test
    void restartPolicyBackoffGrowsAndIsCapped() {
        RestartPolicy p = RestartPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(50));
        assertEquals(Duration.ofMillis(10), p.backoffFor(0));
        assertEquals(Duration.ofMillis(20), p.backoffFor(1));
        assertEquals(Duration.ofMillis(40), p.backoffFor(2));
        assertEquals(Duration.ofMillis(50), p.backoffFor(3));
        assertEquals(Duration.ofMillis(50), p.backoffFor(1000));
        assertEquals(Duration.ofMillis(30), p.withMultiplier(3).backoffFor(1));
    }

    // ---- deadline, concurrency limit, nesting, close ----------------------------------------

    @Test
    void aDeadlineCancelsTheScopeAndJoinSaysSo() throws Exception {
        Tasklet<Void> sleeper;
        try (var scope = TaskletScope.failFast("slow-call")
                .deadline(Duration.ofMillis(50))
                .open()) {
            sleeper = scope.fork("sleeper", () -> Thread.sleep(Duration.ofHours(1)));
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class, scope::join);
            assertTrue(e.getMessage().contains("slow-call") && e.getMessage().contains("50 ms"), e.getMessage());
            assertTrue(scope.isCancelled());
            Tasklet<String> late = scope.fork("late", () -> "too late");
            assertEquals(TaskletState.CANCELLED, late.state());
        }
        assertEquals(TaskletState.CANCELLED, sleeper.state());
    }

    @Test
    void aDeadlineThatDoesNotPassChangesNothing() throws Exception {
        try (var scope =
                TaskletScope.failFast("quick").deadline(Duration.ofMinutes(5)).open()) {
            Tasklet<Integer> t = scope.fork("quick", () -> 7);
            scope.join();
            assertEquals(7, t.result());
        }
    }

    @Test
    @SuppressWarnings("ThreadPriorityCheck") // yields so that children overlap and the limit is really tested
    void theConcurrencyLimitIsNeverExceededUnderLoad() throws Exception {
        int limit = 4;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger highWater = new AtomicInteger();
        try (var scope = TaskletScope.failFast("limited").maxConcurrency(limit).open()) {
            for (int i = 0; i < 400; i++) {
                scope.fork("job-" + i, () -> {
                    int now = running.incrementAndGet();
                    highWater.accumulateAndGet(now, Math::max);
                    Thread.yield();
                    running.decrementAndGet();
                });
            }
            scope.join();
        }
        assertTrue(highWater.get() <= limit, "high water " + highWater.get());
        assertTrue(highWater.get() >= 1);
    }

    @Test
    void forkBlocksAtTheLimitUntilAChildEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (var scope =
                TaskletScope.failFast("one-at-a-time").maxConcurrency(1).open()) {
            scope.fork("holder", () -> release.await());
            Tasklet<Void> forker = Tasklets.start("second-forker", () -> {
                scope.fork("second", () -> {}).join();
            });
            await().until(() -> Tasklets.snapshot()
                    .find(i -> i.id() == forker.id())
                    .map(i -> i.waitingOn() != null && i.waitingOn().contains("one-at-a-time"))
                    .orElse(false));
            assertEquals(1, scope.liveCount());
            release.countDown();
            forker.join();
            scope.join();
        }
    }

    @Test
    void cancellingAParentCancelsTheWholeSubtree() throws Exception {
        CountDownLatch grandchildBlocked = new CountDownLatch(1);
        AtomicReference<Tasklet<Void>> grandchild = new AtomicReference<>();
        Tasklet<Void> parent = Tasklets.start("parent", () -> {
            try (var inner = TaskletScope.failFast("inner").open()) {
                grandchild.set(inner.fork("grandchild", () -> {
                    grandchildBlocked.countDown();
                    Thread.sleep(Duration.ofHours(1));
                }));
                inner.join();
            }
        });
        grandchildBlocked.await();
        RegistrySnapshot tree = Tasklets.snapshot();
        ScopeInfo inner = tree.findScope("inner").orElseThrow();
        assertEquals("grandchild", inner.children().get(0).name());
        assertTrue(tree.find(i -> i.id() == parent.id()).orElseThrow().scopes().stream()
                .anyMatch(s -> s.name().equals("inner")));
        parent.cancel();
        assertThrows(CancellationException.class, parent::join);
        // the inner scope closed before the parent ended, so the grandchild has ended, and as cancelled
        Tasklet<Void> g = grandchild.get();
        assertEquals(TaskletState.CANCELLED, g.state(), g.toString());
        assertTrue(Tasklets.snapshot().find(i -> i.name().equals("grandchild")).isEmpty());
    }

    @Test
    void cancellingAnOuterScopeReachesScopesOpenedInsideItsChildren() throws Exception {
        CountDownLatch deepBlocked = new CountDownLatch(1);
        try (var outer = TaskletScope.failFast("outer").open()) {
            Tasklet<Tasklet<Void>> middle = outer.fork("middle", () -> {
                try (var mid = TaskletScope.supervise("mid").open()) {
                    Tasklet<Void> d = mid.fork("deep", () -> {
                        deepBlocked.countDown();
                        Thread.sleep(Duration.ofHours(1));
                    });
                    mid.join();
                    return d;
                }
            });
            deepBlocked.await();
            assertTrue(Tasklets.snapshot().find(i -> i.name().equals("deep")).isPresent());
            outer.cancel();
            outer.join();
            assertEquals(TaskletState.CANCELLED, middle.state());
        }
        assertTrue(Tasklets.snapshot().find(i -> i.name().equals("deep")).isEmpty());
    }

    @Test
    void closeCancelsWhatStillRunsAndLeavesNoOrphan() throws Exception {
        List<Tasklet<?>> children = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(10);
        try (var scope = TaskletScope.supervise("orphans").open()) {
            for (int i = 0; i < 10; i++) {
                children.add(scope.fork("child-" + i, () -> {
                    started.countDown();
                    Thread.sleep(Duration.ofHours(1));
                }));
            }
            started.await();
            assertEquals(
                    10,
                    Tasklets.snapshot()
                            .findScope("orphans")
                            .orElseThrow()
                            .children()
                            .size());
        }
        for (Tasklet<?> c : children) {
            assertEquals(TaskletState.CANCELLED, c.state());
        }
        assertTrue(Tasklets.snapshot().findScope("orphans").isEmpty(), "closed scope still registered");
        assertTrue(Tasklets.snapshot().find(i -> i.name().startsWith("child-")).isEmpty());
    }

    @Test
    void closeWaitsEvenWhenTheClosingThreadIsInterruptedAndKeepsTheInterrupt() throws Exception {
        CountDownLatch childBlocked = new CountDownLatch(1);
        CountDownLatch childMayEnd = new CountDownLatch(1);
        Tasklet<Boolean> closer = Tasklets.start("closer", () -> {
            Tasklet<Void> child;
            var scope = TaskletScope.failFast("interrupted-close").open();
            child = scope.fork("uninterruptible", () -> {
                childBlocked.countDown();
                boolean done = false;
                while (!done) {
                    try {
                        childMayEnd.await();
                        done = true;
                    } catch (InterruptedException ignored) {
                        // this child refuses to stop early
                    }
                }
            });
            childBlocked.await();
            Thread.currentThread().interrupt();
            Tasklets.start("releaser", () -> {
                await().until(() -> Tasklets.snapshot()
                        .findScope("interrupted-close")
                        .map(ScopeInfo::cancelled)
                        .orElse(false));
                childMayEnd.countDown();
            });
            scope.close();
            return Thread.interrupted() && child.isDone();
        });
        assertTrue(closer.join());
    }

    @Test
    void forkAfterCloseIsAnError() {
        var scope = TaskletScope.failFast("closed").open();
        scope.close();
        scope.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scope.fork("x", () -> 1));
        assertTrue(e.getMessage().contains("closed") && e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        IllegalArgumentException d = assertThrows(
                IllegalArgumentException.class, () -> TaskletScope.failFast("s").deadline(Duration.ZERO));
        assertTrue(d.getMessage().contains("deadline must be > 0, was PT0S"), d.getMessage());
        IllegalArgumentException c = assertThrows(
                IllegalArgumentException.class, () -> TaskletScope.failFast("s").maxConcurrency(-3));
        assertEquals("maxConcurrency must be > 0, was -3", c.getMessage());
        IllegalStateException h = assertThrows(
                IllegalStateException.class, () -> TaskletScope.failFast("s").onFailure((t, e, r) -> {}));
        assertTrue(h.getMessage().contains("supervising scopes only"), h.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> RestartPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> RestartPolicy.backoff(Duration.ZERO, Duration.ZERO).withMaxRestarts(-1, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> TaskletScope.failFast(null));
        try (var scope = TaskletScope.failFast("nulls").open()) {
            assertThrows(NullPointerException.class, () -> scope.fork(null, () -> 1));
            assertThrows(NullPointerException.class, () -> scope.fork("x", (CheckedRunnable) null));
        }
    }

    @Test
    void scopesOpenedOutsideTaskletsAppearAtTheTopOfTheRegistry() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (var scope = TaskletScope.supervise("top").open()) {
            scope.fork("worker", () -> release.await());
            ScopeInfo info = Tasklets.snapshot().findScope("top").orElseThrow();
            assertEquals("supervise", info.policy());
            assertEquals(Thread.currentThread().getName(), info.ownerThread());
            assertEquals(1, info.countTasklets());
            String json =
                    dev.warren.tasklets.observe.Json.write(Tasklets.snapshot().toTree());
            assertTrue(json.contains("\"scope\":\"top\"") && json.contains("\"name\":\"worker\""), json);
            assertTrue(Tasklets.snapshot().toText().contains("scope top [supervise, 1 live]"));
            String report = dev.warren.tasklets.observe.Reports.json("tasklets").orElseThrow();
            assertTrue(report.contains("\"name\":\"worker\""), report);
            release.countDown();
            scope.join();
        }
    }
}
