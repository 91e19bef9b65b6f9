package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
                assertEquals(1, q.stats().backlog(), "it waits in the backlog until a worker reaches it");
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

    @Test
    void aJobTakenBeforeItsDeadlineRunsAndItsResultArrives() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        try (JobQueue q = JobQueue.builder("in-time").maxConcurrency(2).start()) {
            long t0 = System.nanoTime();
            CompletableFuture<String> f = q.submit(
                    () -> {
                        started.countDown();
                        proceed.await();
                        return "done";
                    },
                    Duration.ofMillis(50));
            assertTrue(started.await(10, TimeUnit.SECONDS));
            // let it run past its deadline: a deadline does not bound a job a worker has taken
            await().atMost(Duration.ofSeconds(10)).until(() -> System.nanoTime() - t0 > 100_000_000L);
            proceed.countDown();
            assertEquals("done", f.get(20, TimeUnit.SECONDS));
            assertEquals(0, q.stats().timeouts());
        }
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
