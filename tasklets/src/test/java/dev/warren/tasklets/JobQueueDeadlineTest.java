package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** A submitted job's deadline bounds the wait for its result to start, even when no worker comes. */
class JobQueueDeadlineTest {

    /** Occupies the single worker of {@code q} until the returned latch is counted down. */
    private static CountDownLatch holdTheWorker(JobQueue q) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        q.add(() -> {
            running.countDown();
            release.await();
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return release;
    }

    @RepeatedTest(5)
    void aSubmittedJobFailsAtItsDeadlineWhileEveryWorkerIsStuckAndNeverRuns() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        try (JobQueue q = JobQueue.builder("stuck-workers").maxConcurrency(1).start()) {
            CountDownLatch release = holdTheWorker(q);
            try {
                long t0 = System.nanoTime();
                CompletableFuture<String> f = q.submit(
                        () -> {
                            ran.set(true);
                            return "too late";
                        },
                        Duration.ofMillis(100));
                // the worker is still stuck: the future fails anyway, at the deadline
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertTrue(
                        e.getCause().getMessage().contains("jobq 'stuck-workers'"),
                        e.getCause().getMessage());
                assertTrue(ms >= 100, "failed after " + ms + " ms, before its deadline");
                assertEquals(1, q.stats().timeouts());
                assertEquals(0, q.stats().backlog(), "it left the backlog when it timed out");
            } finally {
                release.countDown(); // also when an assertion failed: close() waits for the worker
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> q.stats().backlog() == 0 && q.stats().inflight() == 0);
            assertEquals(1, q.stats().timeouts(), "counted once");
            assertEquals(1, q.stats().totalJobs(), "only the worker's first job ran");
        }
        assertFalse(ran.get());
    }

    @Test
    void theDefaultDeadlineFailsASubmittedFutureWithoutAWorkerToo() throws Exception {
        try (JobQueue q = JobQueue.builder("default-deadline-timer")
                .maxConcurrency(1)
                .defaultDeadline(Duration.ofMillis(50))
                .start()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the holder has a long deadline of its own, so it is taken before its deadline
            CompletableFuture<Object> holder = q.submit(
                    () -> {
                        running.countDown();
                        release.await();
                        return null;
                    },
                    Duration.ofHours(1));
            assertTrue(running.await(10, TimeUnit.SECONDS));
            try {
                CompletableFuture<Integer> f = q.submit(() -> 1);
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                assertInstanceOf(TimeoutException.class, e.getCause());
                assertEquals(0, q.shutdownNow(), "the timed-out job was counted as a timeout, not discarded again");
                assertEquals(1, q.stats().timeouts());
                assertEquals(0, q.stats().discarded());
                assertThrows(
                        ExecutionException.class, () -> holder.get(20, TimeUnit.SECONDS), "interrupted by shutdownNow");
            } finally {
                release.countDown(); // also when an assertion failed: close() waits for the worker
            }
        }
    }

    /**
     * A job that had to wait for the busy worker (so its deadline timer was armed) and was taken in time
     * keeps running past its deadline, and its result arrives. Whether the worker takes it before the
     * deadline depends on the machine, so the deadline starts at 50 ms and doubles until it does: a job
     * taken late never ran, which the test tells apart from the defect (a job that ran and was failed).
     */
    @RepeatedTest(3)
    void aJobTakenBeforeItsDeadlineRunsPastItAndItsResultArrives() throws Exception {
        try (JobQueue q = JobQueue.builder("in-time").maxConcurrency(1).start()) {
            for (long deadlineMs = 50; ; deadlineMs *= 2) {
                assertTrue(deadlineMs <= 60_000, "the worker never took a job within a minute");
                CountDownLatch release = holdTheWorker(q);
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch proceed = new CountDownLatch(1);
                long timeoutsBefore = q.stats().timeouts();
                CompletableFuture<String> f = q.submit(
                        () -> {
                            started.countDown();
                            proceed.await();
                            return "done";
                        },
                        Duration.ofMillis(deadlineMs));
                long queuedAt = System.nanoTime();
                release.countDown(); // the worker finishes the holder and takes the job
                await().atMost(Duration.ofSeconds(20)).until(() -> started.getCount() == 0 || f.isDone());
                if (started.getCount() != 0) {
                    // taken after its deadline (or failed by its timer first): it never ran; try a longer one
                    ExecutionException e = assertThrows(ExecutionException.class, f::get);
                    assertInstanceOf(TimeoutException.class, e.getCause());
                    continue;
                }
                long deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMs);
                // it runs; let its deadline pass: a deadline does not bound a job a worker has taken
                await().atMost(Duration.ofMinutes(2)).until(() -> System.nanoTime() - queuedAt > 2 * deadlineNanos);
                assertFalse(f.isDone(), "the timer of a taken job must not fail it");
                proceed.countDown();
                assertEquals("done", f.get(20, TimeUnit.SECONDS));
                assertEquals(timeoutsBefore, q.stats().timeouts());
                return;
            }
        }
    }

    @Test
    void aJobThatTimesOutInTheBacklogGivesItsRoomToAWaitingAdder() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (JobQueue q =
                    JobQueue.builder("room").maxConcurrency(1).backlog(1).start()) {
                CountDownLatch release = holdTheWorker(q);
                try {
                    CompletableFuture<Integer> late = q.submit(() -> 1, Duration.ofMillis(50)); // fills the backlog
                    AtomicBoolean ran = new AtomicBoolean();
                    q.add(() -> ran.set(true)); // waits for room: the timed-out job's
                    ExecutionException e = assertThrows(ExecutionException.class, late::get);
                    assertInstanceOf(TimeoutException.class, e.getCause());
                    assertEquals(1, q.stats().backlog(), "only the added job waits");
                    assertEquals(1, q.stats().timeouts());
                    release.countDown();
                    await().atMost(Duration.ofSeconds(20)).until(ran::get);
                } finally {
                    release.countDown();
                }
            }
        });
    }

    @Test
    void aBurstOfTimeoutsFailsEveryFutureOnce() throws Exception {
        int n = 2000;
        try (JobQueue q = JobQueue.builder("burst").maxConcurrency(1).backlog(n).start()) {
            CountDownLatch release = holdTheWorker(q);
            try {
                List<CompletableFuture<Integer>> futures = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    futures.add(q.submit(() -> 1, Duration.ofMillis(20)));
                }
                for (CompletableFuture<Integer> f : futures) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                    assertInstanceOf(TimeoutException.class, e.getCause());
                }
                JobQueue.Stats st = q.stats();
                assertEquals(n, st.timeouts());
                assertEquals(0, st.backlog());
                assertEquals(0, q.shutdownNow(), "nothing left to discard");
                assertEquals(0, q.stats().discarded());
            } finally {
                release.countDown();
            }
        }
    }

    @RepeatedTest(3)
    void theTimersOfJobsTakenInTimeAreAllCancelled() throws Exception {
        // LIFO arms a timer for every submitted job with a deadline; the workers race to take them
        // while the submitters arm them after releasing the lock. Every timer must be gone afterwards.
        int baseline = ScopeCore.DEADLINES.getQueue().size();
        int n = 5000;
        try (JobQueue q = JobQueue.builder("disarmed")
                .order(JobOrder.LIFO)
                .maxConcurrency(2)
                .backlog(n)
                .start()) {
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                futures.add(q.submit(() -> v, Duration.ofHours(1)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, futures.get(i).get(20, TimeUnit.SECONDS));
            }
            assertEquals(0, q.stats().timeouts());
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> ScopeCore.DEADLINES.getQueue().size() <= baseline);
    }

    @Test
    void aBadDeadlineIsRefusedNamingIt() {
        try (JobQueue q = JobQueue.builder("bad-deadline").start()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> q.submit(() -> 1, Duration.ZERO));
            assertEquals("deadline must be > 0, was PT0S", e.getMessage());
        }
    }
}
