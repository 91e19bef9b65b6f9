package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A long-lived scope (a job queue's, or one opened {@code standalone()}) is not tied by thread to the
 * short-lived user scopes around it or after it: neither one's cancel reaches the other. Ownership by the
 * opening tasklet still holds.
 */
class StandaloneScopeTest {
    static final Duration BOUND = Duration.ofSeconds(30);

    /** Forks a child into {@code scope} that waits for {@code release}, and waits until it runs. */
    private static Tasklet<Void> forkWaiter(TaskletScope scope, CountDownLatch release) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Tasklet<Void> t = scope.fork("waiter", () -> {
            running.countDown();
            release.await();
        });
        assertTrue(running.await(20, TimeUnit.SECONDS));
        return t;
    }

    @Test
    void stoppingAQueueDoesNotCancelAScopeOpenedAfterItOnTheSameThread() {
        assertTimeoutPreemptively(BOUND, () -> {
            CountDownLatch release = new CountDownLatch(1);
            JobQueue q = JobQueue.builder("built-first").start();
            try (var batch = TaskletScope.failFast("batch").open()) {
                Tasklet<Void> work = forkWaiter(batch, release);
                assertEquals(0, q.shutdownNow());
                assertFalse(batch.isCancelled(), "the queue's scope is not the batch's parent");
                assertEquals(TaskletState.RUNNING, work.state());
                release.countDown();
                batch.join();
                assertEquals(TaskletState.DONE, work.state(), "the batch's work was not lost");
            }
            q.close();
        });
    }

    @Test
    void theDeadlineOfAScopeAroundItDoesNotStopAQueue() {
        assertTimeoutPreemptively(BOUND, () -> {
            JobQueue q;
            try (var request = TaskletScope.failFast("short")
                    .deadline(Duration.ofMillis(50))
                    .open()) {
                q = JobQueue.builder("built-inside").start();
                request.fork("slow", () -> Thread.sleep(Duration.ofMinutes(1)));
                assertThrows(DeadlineExceededException.class, request::join);
            }
            try (q) {
                assertFalse(q.isShutdown(), "the deadline of the scope around it did not reach the queue");
                assertEquals(42, q.submit(() -> 42).get(20, TimeUnit.SECONDS));
            }
        });
    }

    @Test
    void aStandaloneScopeNeitherNestsNorAdoptsByThread() {
        assertTimeoutPreemptively(BOUND, () -> {
            CountDownLatch release = new CountDownLatch(1);
            TaskletScope service;
            try (var outer = TaskletScope.failFast("outer").open()) {
                service = TaskletScope.supervise("service").standalone().open();
                try (var later = TaskletScope.failFast("later").open()) {
                    Tasklet<Void> serving = forkWaiter(service, release);
                    Tasklet<Void> work = forkWaiter(later, release);
                    outer.cancel();
                    assertTrue(later.isCancelled(), "an ordinary scope opened later still nests in outer");
                    assertFalse(service.isCancelled(), "outer's cancel does not reach the standalone scope");
                    assertEquals(TaskletState.RUNNING, serving.state());
                    later.join();
                    assertEquals(TaskletState.CANCELLED, work.state());
                }
            }
            try (var after = TaskletScope.failFast("after the service").open()) {
                Tasklet<Void> work = forkWaiter(after, release);
                service.cancel();
                assertFalse(after.isCancelled(), "the standalone scope is not the parent of a later scope");
                assertEquals(TaskletState.RUNNING, work.state());
                release.countDown();
                after.join();
                assertEquals(TaskletState.DONE, work.state());
            }
            service.close();
        });
    }

    @Test
    void aQueueStillBelongsToTheTaskletThatStartsIt() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<JobQueue> queue = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Tasklet<Void> owner = Tasklets.start("owner", () -> {
                queue.set(JobQueue.builder("owned").start());
                started.countDown();
                Thread.sleep(Duration.ofMinutes(1));
            });
            assertTrue(started.await(20, TimeUnit.SECONDS));
            assertFalse(queue.get().isShutdown());
            owner.cancel();
            assertTrue(queue.get().isShutdown(), "cancelling the owner tasklet stops its queue");
            assertTrue(queue.get().awaitTermination(Duration.ofSeconds(20)));
            assertThrows(CancellationException.class, () -> owner.join(Duration.ofSeconds(20)));
            assertEquals(TaskletState.CANCELLED, owner.state());
        });
    }
}
