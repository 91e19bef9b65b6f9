package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.observe.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobQueueTest {

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1));
    }

    private static boolean workersAlive(String queueName) {
        String prefix = "jobq-" + queueName + "-";
        return Tasklets.snapshot().find(t -> t.name().startsWith(prefix)).isPresent();
    }

    /**
     * Occupies every worker of a queue with max 1 on a latch, and waits until it runs. The holder has a
     * deadline of its own so that a short default deadline cannot expire it before a worker takes it.
     */
    private static CountDownLatch holdSingleWorker(JobQueue q) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(q.add(
                () -> {
                    running.countDown();
                    release.await();
                },
                Duration.ofSeconds(10),
                Duration.ofHours(1)));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return release;
    }

    // ---- concurrency ----

    enum Producers {
        PLATFORM,
        VIRTUAL
    }

    @ParameterizedTest
    @EnumSource(Producers.class)
    @SuppressWarnings("ThreadPriorityCheck") // yields so that jobs overlap and the bound is really tested
    void concurrencyBoundIsNeverExceededUnderContention(Producers kind) throws Exception {
        for (int round = 0; round < 10; round++) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger highWater = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            int producers = 8;
            int perProducer = 200;
            String name = "bound-" + kind + "-" + round;
            try (JobQueue q = JobQueue.builder(name)
                    .minConcurrency(1)
                    .maxConcurrency(4)
                    .backlog(16)
                    .idleTimeout(Duration.ofMillis(1))
                    .start()) {
                CheckedRunnable job = () -> {
                    int now = running.incrementAndGet();
                    highWater.accumulateAndGet(now, Math::max);
                    Thread.yield();
                    running.decrementAndGet();
                    ran.incrementAndGet();
                };
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    Runnable produce = () -> {
                        try {
                            for (int i = 0; i < perProducer; i++) {
                                if (i % 3 == 0) {
                                    while (!q.tryAdd(job)) {
                                        Thread.yield(); // a spinning virtual thread would starve the workers
                                    }
                                } else {
                                    q.add(job);
                                }
                            }
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    };
                    threads.add(
                            kind == Producers.VIRTUAL
                                    ? Thread.ofVirtual().start(produce)
                                    : Thread.ofPlatform().start(produce));
                }
                for (Thread t : threads) {
                    t.join();
                }
                eventually().until(() -> q.stats().totalJobs() == (long) producers * perProducer);
                JobQueue.Stats s = q.stats();
                assertTrue(s.concurrency() <= 4, "concurrency " + s.concurrency());
                assertTrue(s.concurrency() >= 1, "min 1 worker kept, was " + s.concurrency());
            }
            assertEquals(producers * perProducer, ran.get());
            assertTrue(highWater.get() <= 4, "high-water mark " + highWater.get() + " > maxConcurrency 4");
            assertTrue(highWater.get() >= 1);
            assertFalse(workersAlive(name));
        }
    }

    @RepeatedTest(20)
    void workersGrowToMaxWithBacklogAndShrinkToMinWhenIdle() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger highWater = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (JobQueue q = JobQueue.builder("elastic")
                .minConcurrency(2)
                .maxConcurrency(4)
                .idleTimeout(Duration.ofMillis(20))
                .start()) {
            assertEquals(2, q.stats().concurrency(), "min workers start at once");
            for (int i = 0; i < 10; i++) {
                q.add(() -> {
                    highWater.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } finally {
                        running.decrementAndGet();
                    }
                });
            }
            eventually().until(() -> running.get() == 4);
            JobQueue.Stats s = q.stats();
            assertEquals(4, s.concurrency());
            assertEquals(4, s.desiredConcurrency());
            assertEquals(4, s.inflight());
            assertEquals(6, s.backlog());
            release.countDown();
            eventually().until(() -> q.stats().totalJobs() == 10);
            eventually().until(() -> q.stats().concurrency() == 2);
            assertEquals(2, q.stats().desiredConcurrency());
        }
        assertEquals(4, highWater.get());
        assertFalse(workersAlive("elastic"));
    }

    @RepeatedTest(10)
    void minWorkersAreKeptAndParkOnTheQueue() {
        try (JobQueue q = JobQueue.builder("hint")
                .minConcurrency(3)
                .maxConcurrency(3)
                .idleTimeout(Duration.ofMillis(1))
                .start()) {
            eventually()
                    .until(() -> Tasklets.snapshot().tasklets().stream()
                                    .filter(t -> t.name().startsWith("jobq-hint-") && "jobq hint".equals(t.waitingOn()))
                                    .count()
                            == 3);
            assertEquals(3, q.stats().concurrency());
            assertTrue(Tasklets.snapshot().findScope("jobq hint").isPresent());
        }
        assertFalse(workersAlive("hint"));
        assertTrue(Tasklets.snapshot().findScope("jobq hint").isEmpty());
    }

    // ---- backlog ----

    @RepeatedTest(10)
    void backlogRejectionIsExact() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (JobQueue q = JobQueue.builder("full").maxConcurrency(1).backlog(5).start()) {
            CountDownLatch release = holdSingleWorker(q);
            for (int i = 0; i < 5; i++) {
                assertTrue(q.tryAdd(ran::incrementAndGet), "add " + i);
            }
            assertFalse(q.tryAdd(ran::incrementAndGet));
            assertFalse(q.add(ran::incrementAndGet, Duration.ofMillis(5)));
            assertFalse(q.add(ran::incrementAndGet, Duration.ZERO));
            JobQueue.Stats s = q.stats();
            assertEquals(3, s.rejected());
            assertEquals(5, s.backlog());
            release.countDown();
            eventually().until(() -> q.stats().totalJobs() == 6);
        }
        assertEquals(5, ran.get());
    }

    @RepeatedTest(10)
    void blockedAddWaitsForRoom() throws Exception {
        try (JobQueue q = JobQueue.builder("room").maxConcurrency(1).backlog(1).start()) {
            CountDownLatch release = holdSingleWorker(q);
            assertTrue(q.tryAdd(() -> {}));
            AtomicBoolean added = new AtomicBoolean();
            Tasklet<Void> adder = Tasklets.start("adder", () -> {
                q.add(() -> {});
                added.set(true);
            });
            eventually()
                    .until(() -> Tasklets.snapshot()
                            .find(t -> t.id() == adder.id())
                            .map(t -> "jobq room".equals(t.waitingOn()))
                            .orElse(false));
            assertFalse(added.get());
            release.countDown();
            adder.join(Duration.ofSeconds(10));
            assertTrue(added.get());
        }
    }

    @ParameterizedTest
    @EnumSource(JobOrder.class)
    void backlogOrder(JobOrder order) throws Exception {
        for (int round = 0; round < 10; round++) {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            try (JobQueue q =
                    JobQueue.builder("order").maxConcurrency(1).order(order).start()) {
                CountDownLatch release = holdSingleWorker(q);
                for (int i = 1; i <= 5; i++) {
                    int n = i;
                    q.add(() -> seen.add(n));
                }
                assertEquals(5, q.stats().backlog());
                release.countDown();
            }
            assertEquals(order == JobOrder.FIFO ? List.of(1, 2, 3, 4, 5) : List.of(5, 4, 3, 2, 1), seen);
        }
    }

    // ---- deadlines ----

    @RepeatedTest(10)
    void jobWhoseDeadlinePassesInTheBacklogIsCountedAndNeverRuns() throws Exception {
        AtomicBoolean expiredRan = new AtomicBoolean();
        AtomicBoolean freshRan = new AtomicBoolean();
        try (JobQueue q = JobQueue.builder("deadline").maxConcurrency(1).start()) {
            CountDownLatch release = holdSingleWorker(q);
            assertTrue(q.tryAdd(() -> expiredRan.set(true), Duration.ofMillis(1)));
            long queued = System.nanoTime();
            assertTrue(q.add(() -> freshRan.set(true), Duration.ZERO, Duration.ofHours(1)));
            eventually().until(() -> System.nanoTime() - queued > TimeUnit.MILLISECONDS.toNanos(2));
            release.countDown();
            eventually().until(() -> q.stats().timeouts() == 1 && q.stats().totalJobs() == 2);
            assertEquals(0, q.stats().backlog());
        }
        assertFalse(expiredRan.get());
        assertTrue(freshRan.get());
    }

    @RepeatedTest(5)
    void defaultDeadlineAppliesToSubmitAndFailsItsFuture() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        try (JobQueue q = JobQueue.builder("default-deadline")
                .maxConcurrency(1)
                .defaultDeadline(Duration.ofMillis(1))
                .start()) {
            CountDownLatch release = holdSingleWorker(q);
            CompletableFuture<String> f = q.submit(() -> {
                ran.set(true);
                return "late";
            });
            long queued = System.nanoTime();
            eventually().until(() -> System.nanoTime() - queued > TimeUnit.MILLISECONDS.toNanos(2));
            release.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            eventually().until(() -> q.stats().timeouts() == 1);
        }
        assertFalse(ran.get());
    }

    // ---- results and failures ----

    @Test
    void submitReturnsTheResultOrTheFailure() throws Exception {
        try (JobQueue q = JobQueue.builder("submit").maxConcurrency(2).start()) {
            assertEquals(42, q.submit(() -> 42).get(10, TimeUnit.SECONDS));
            CompletableFuture<Object> bad = q.submit(() -> {
                throw new java.io.IOException("disk on fire");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertEquals("disk on fire", e.getCause().getMessage());
            eventually().until(() -> q.stats().failed() == 1 && q.stats().totalJobs() == 2);
        }
    }

    @RepeatedTest(5)
    void failingJobsDoNotKillWorkers() throws Exception {
        AtomicInteger ok = new AtomicInteger();
        java.util.Set<Long> workerIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (JobQueue q =
                JobQueue.builder("failing").minConcurrency(1).maxConcurrency(1).start()) {
            for (int i = 0; i < 10; i++) {
                q.add(() -> {
                    workerIds.add(Tasklets.current().orElseThrow().id());
                    throw new IllegalStateException("job bug (expected by the test)");
                });
                q.add(() -> {
                    workerIds.add(Tasklets.current().orElseThrow().id());
                    throw new AssertionError("an Error from a job (expected by the test)");
                });
            }
            CountDownLatch done = new CountDownLatch(1);
            q.add(() -> {
                workerIds.add(Tasklets.current().orElseThrow().id());
                ok.incrementAndGet();
                done.countDown();
            });
            assertTrue(done.await(10, TimeUnit.SECONDS));
            eventually().until(() -> q.stats().totalJobs() == 21);
            JobQueue.Stats s = q.stats();
            assertEquals(20, s.failed());
            assertEquals(1, s.concurrency());
            assertEquals(1, workerIds.size(), "one worker ran every job: " + workerIds);
        }
        assertEquals(1, ok.get());
    }

    // ---- stats ----

    @RepeatedTest(5)
    void statsInAScriptedScenario() throws Exception {
        try (JobQueue q = JobQueue.builder("stats")
                .minConcurrency(0)
                .maxConcurrency(2)
                .backlog(3)
                .start()) {
            JobQueue.Stats s0 = q.stats();
            assertEquals(new JobQueue.Stats(0, 0, 0, 0, 0, 0, 0.0, 0.0, 0, 0, 0), s0);

            CountDownLatch running = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                q.add(() -> {
                    running.countDown();
                    release.await();
                    Thread.sleep(5); // the job's "work"
                });
            }
            assertTrue(running.await(10, TimeUnit.SECONDS));
            q.add(() -> {
                throw new IllegalStateException("scripted failure (expected by the test)");
            });
            q.add(() -> {}, Duration.ZERO, Duration.ofMillis(1));
            long queued = System.nanoTime();
            assertTrue(q.tryAdd(() -> {}));
            assertFalse(q.tryAdd(() -> {}));

            JobQueue.Stats s1 = q.stats();
            assertEquals(2, s1.concurrency());
            assertEquals(2, s1.desiredConcurrency());
            assertEquals(0, s1.totalJobs());
            assertEquals(3, s1.backlog());
            assertEquals(2, s1.inflight());
            assertEquals(1, s1.rejected());

            eventually().until(() -> System.nanoTime() - queued > TimeUnit.MILLISECONDS.toNanos(2));
            release.countDown();
            eventually().until(() -> q.stats().totalJobs() == 4);
            JobQueue.Stats s2 = q.stats();
            assertEquals(4, s2.totalJobs());
            assertEquals(0, s2.backlog());
            assertEquals(0, s2.inflight());
            assertEquals(1, s2.timeouts());
            assertEquals(1, s2.failed());
            assertEquals(1, s2.rejected());
            assertEquals(0, s2.desiredConcurrency());
            assertTrue(s2.avgRunMs() >= 2 * 5.0 / 4, "avg_run_ms " + s2.avgRunMs());
            assertTrue(s2.avgWaitMs() > 0, "avg_wait_ms " + s2.avgWaitMs());

            assertEquals(
                    List.of(
                            "concurrency",
                            "desired_concurrency",
                            "total_jobs",
                            "backlog",
                            "inflight",
                            "timeouts",
                            "avg_wait_ms",
                            "avg_run_ms"),
                    List.copyOf(s2.toTree().keySet()));
            String json = Json.write(s2.toTree());
            assertTrue(json.startsWith("{\"concurrency\":"), json);
            assertTrue(json.contains("\"total_jobs\":4,\"backlog\":0,\"inflight\":0,\"timeouts\":1"), json);
            String report = dev.warren.tasklets.observe.Reports.json("jobq").orElseThrow();
            assertTrue(report.contains("\"" + q.name() + "\":{\"concurrency\":"), report);
        }
    }

    // ---- shutdown ----

    @RepeatedTest(10)
    void gracefulShutdownRunsWhatIsQueuedThenWorkersExit() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        JobQueue q =
                JobQueue.builder("graceful").minConcurrency(1).maxConcurrency(1).start();
        CountDownLatch release = holdSingleWorker(q);
        for (int i = 0; i < 5; i++) {
            q.add(ran::incrementAndGet);
        }
        q.shutdown();
        assertTrue(q.isShutdown());
        assertFalse(q.isTerminated());
        assertFalse(q.tryAdd(ran::incrementAndGet));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.add(ran::incrementAndGet));
        assertEquals("jobq 'graceful' is shut down; it accepts no more jobs", e.getMessage());
        assertThrows(IllegalStateException.class, () -> q.submit(() -> 1));
        assertFalse(q.awaitTermination(Duration.ZERO));
        release.countDown();
        assertTrue(q.awaitTermination(Duration.ofSeconds(10)));
        assertTrue(q.isTerminated());
        assertEquals(5, ran.get());
        assertEquals(1, q.stats().rejected());
        assertEquals(0, q.stats().concurrency());
        assertFalse(workersAlive("graceful"));
        assertTrue(Tasklets.snapshot().findScope("jobq graceful").isEmpty());
        q.close(); // harmless after termination
    }

    @RepeatedTest(10)
    void shutdownWakesAddersWaitingForRoom() throws Exception {
        JobQueue q = JobQueue.builder("wake").maxConcurrency(1).backlog(1).start();
        CountDownLatch release = holdSingleWorker(q);
        assertTrue(q.tryAdd(() -> {}));
        Tasklet<Void> adder = Tasklets.start("blocked-adder", () -> q.add(() -> {}));
        eventually()
                .until(() -> Tasklets.snapshot()
                        .find(t -> t.id() == adder.id())
                        .map(t -> "jobq wake".equals(t.waitingOn()))
                        .orElse(false));
        q.shutdown();
        TaskletFailedException e = assertThrows(TaskletFailedException.class, () -> adder.join(Duration.ofSeconds(10)));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        release.countDown();
        q.close();
    }

    @RepeatedTest(10)
    void shutdownNowInterruptsRunningJobsAndDiscardsTheBacklog() throws Exception {
        CountDownLatch running = new CountDownLatch(2);
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger queuedRan = new AtomicInteger();
        JobQueue q = JobQueue.builder("now").maxConcurrency(2).start();
        for (int i = 0; i < 2; i++) {
            q.add(() -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
            });
        }
        assertTrue(running.await(10, TimeUnit.SECONDS));
        q.add(queuedRan::incrementAndGet);
        q.add(queuedRan::incrementAndGet);
        CompletableFuture<Integer> f = q.submit(() -> 7);
        assertEquals(3, q.shutdownNow());
        assertTrue(f.isCancelled());
        assertTrue(q.awaitTermination(Duration.ofSeconds(10)));
        assertEquals(2, interrupted.get());
        assertEquals(0, queuedRan.get());
        JobQueue.Stats s = q.stats();
        assertEquals(3, s.discarded());
        assertEquals(0, s.failed(), "interrupted by cancellation is not a failure");
        assertEquals(2, s.totalJobs());
        assertFalse(workersAlive("now"));
        assertThrows(CancellationException.class, f::join);
    }

    @RepeatedTest(10)
    void jobIsCancelledWhenTheScopeOwningTheQueueIsCancelled() throws Exception {
        CountDownLatch jobRunning = new CountDownLatch(1);
        AtomicBoolean jobInterrupted = new AtomicBoolean();
        AtomicInteger backlogRan = new AtomicInteger();
        AtomicBoolean queueShutDown = new AtomicBoolean();
        try (TaskletScope scope = TaskletScope.failFast("owner").open()) {
            scope.fork("holder", () -> {
                JobQueue q = JobQueue.builder("owned").maxConcurrency(1).start();
                try {
                    q.add(() -> {
                        jobRunning.countDown();
                        try {
                            new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                            jobInterrupted.set(true);
                            throw e;
                        }
                    });
                    q.add(backlogRan::incrementAndGet);
                    new CountDownLatch(1).await();
                } finally {
                    eventually().until(q::isShutdown);
                    queueShutDown.set(true);
                    q.close();
                }
            });
            scope.fork("boom", () -> {
                jobRunning.await();
                throw new IllegalStateException("sibling failure (expected by the test)");
            });
            TaskletFailedException e = assertThrows(TaskletFailedException.class, scope::join);
            assertEquals("sibling failure (expected by the test)", e.getCause().getMessage());
        }
        assertTrue(jobInterrupted.get());
        assertTrue(queueShutDown.get());
        assertEquals(0, backlogRan.get());
        assertFalse(workersAlive("owned"));
    }

    @Test
    void aQueueWithoutWorkersTerminatesOnceItsOwnerIsCancelled() throws Exception {
        // No worker yet (minConcurrency 0, nothing added): only the owner's cancel can stop the queue.
        AtomicReference<JobQueue> queue = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Tasklet<Void> owner = Tasklets.start("queue owner", () -> {
            queue.set(JobQueue.builder("no-workers").start());
            started.countDown();
            new CountDownLatch(1).await();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        JobQueue q = queue.get();
        owner.cancel();
        assertTrue(q.isShutdown());
        assertTrue(q.awaitTermination(Duration.ofSeconds(20)), "a stopped queue with no worker is terminated");
        assertTrue(q.isTerminated());
        assertFalse(q.tryAdd(() -> {}));
        assertThrows(CancellationException.class, () -> owner.join(Duration.ofSeconds(20)));
    }

    @Test
    void hugeTimeoutsMeanForeverInsteadOfOverflowing() throws Exception {
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        JobQueue q = JobQueue.builder("huge-timeouts").start();
        assertTrue(q.add(() -> {}, huge), "a timeout too long for a long of nanoseconds is forever");
        assertTrue(q.add(() -> {}, huge, Duration.ofDays(365L * 1000)));
        q.shutdown();
        assertTrue(q.awaitTermination(huge));
    }

    @Test
    void closeWhileInterruptedEscalatesToShutdownNow() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        JobQueue q = JobQueue.builder("close-now").maxConcurrency(1).start();
        q.add(() -> {
            running.countDown();
            new CountDownLatch(1).await();
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        q.close();
        assertTrue(Thread.interrupted(), "close restores the interrupt");
        assertTrue(q.isTerminated());
        assertFalse(workersAlive("close-now"));
    }

    @Test
    void aJobCannotAwaitItsOwnQueue() throws Exception {
        try (JobQueue q = JobQueue.builder("self").maxConcurrency(1).start()) {
            CompletableFuture<Boolean> f = q.submit(() -> q.awaitTermination(Duration.ofMillis(1)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    // ---- bad inputs ----

    @Test
    void badInputsGiveClearExceptions() throws Exception {
        assertEquals(
                "maxConcurrency must be >= minConcurrency (4), was 2",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x")
                                        .minConcurrency(4)
                                        .maxConcurrency(2)
                                        .start())
                        .getMessage());
        assertEquals(
                "backlog must be > 0, was 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x").backlog(0))
                        .getMessage());
        assertEquals(
                "maxConcurrency must be > 0, was 0",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x").maxConcurrency(0))
                        .getMessage());
        assertEquals(
                "minConcurrency must be >= 0, was -1",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x").minConcurrency(-1))
                        .getMessage());
        assertEquals(
                "defaultDeadline must be > 0, was PT0S",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x").defaultDeadline(Duration.ZERO))
                        .getMessage());
        assertEquals(
                "idleTimeout must be > 0, was PT-1S",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> JobQueue.builder("x").idleTimeout(Duration.ofSeconds(-1)))
                        .getMessage());
        assertEquals(
                "name",
                assertThrows(NullPointerException.class, () -> JobQueue.builder(null))
                        .getMessage());
        assertEquals(
                "order",
                assertThrows(
                                NullPointerException.class,
                                () -> JobQueue.builder("x").order(null))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> JobQueue.builder(" "));

        try (JobQueue q = JobQueue.builder("inputs").minConcurrency(4).start()) {
            assertEquals(4, q.stats().concurrency(), "max defaults to min");
            assertEquals(
                    "job",
                    assertThrows(NullPointerException.class, () -> q.tryAdd(null))
                            .getMessage());
            assertEquals(
                    "job",
                    assertThrows(NullPointerException.class, () -> q.add(null)).getMessage());
            assertEquals(
                    "job",
                    assertThrows(NullPointerException.class, () -> q.submit(null))
                            .getMessage());
            assertEquals(
                    "deadline must be > 0, was PT-0.001S",
                    assertThrows(IllegalArgumentException.class, () -> q.tryAdd(() -> {}, Duration.ofMillis(-1)))
                            .getMessage());
            assertEquals(
                    "timeout must be >= 0, was PT-1S",
                    assertThrows(IllegalArgumentException.class, () -> q.add(() -> {}, Duration.ofSeconds(-1)))
                            .getMessage());
            assertEquals(
                    "timeout",
                    assertThrows(NullPointerException.class, () -> q.awaitTermination(null))
                            .getMessage());
        }
    }
}
