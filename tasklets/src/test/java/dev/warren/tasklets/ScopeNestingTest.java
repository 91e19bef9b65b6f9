package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Scopes opened on one thread nest: the innermost open one is the parent, whose cancel reaches them. */
class ScopeNestingTest {
    static final Duration BOUND = Duration.ofSeconds(20);

    /** The case: an outer deadline of 200 ms, an inner one of a minute; the outer one wins. */
    static void outerDeadlineCancelsTheInnerScope() throws Exception {
        long t0 = System.nanoTime();
        Tasklet<Void> slow;
        try (var outer =
                TaskletScope.failFast("outer").deadline(Duration.ofMillis(200)).open()) {
            try (var inner = TaskletScope.failFast("inner")
                    .deadline(Duration.ofMinutes(1))
                    .open()) {
                slow = inner.fork("slow", () -> Thread.sleep(Duration.ofMinutes(1)));
                inner.join();
                assertTrue(inner.isCancelled());
            }
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class, outer::join);
            assertTrue(e.getMessage().contains("outer"), e.getMessage());
        }
        assertEquals(TaskletState.CANCELLED, slow.state());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 200 && ms < 10_000, "took " + ms + " ms");
    }

    @Test
    void onAPlainThreadTheOuterDeadlineCancelsTheInnerScope() {
        assertTimeoutPreemptively(BOUND, ScopeNestingTest::outerDeadlineCancelsTheInnerScope);
    }

    @Test
    void inATaskletTheOuterDeadlineCancelsTheInnerScope() {
        assertTimeoutPreemptively(
                BOUND,
                () -> Tasklets.start("nesting", () -> {
                            outerDeadlineCancelsTheInnerScope();
                            return null;
                        })
                        .join());
    }

    @Test
    void aScopeOpenedUnderACancelledOneStartsCancelled() throws Exception {
        try (var outer = TaskletScope.supervise("cancelled-outer").open()) {
            outer.cancel();
            try (var inner = TaskletScope.failFast("born-cancelled").open()) {
                assertTrue(inner.isCancelled());
                assertEquals(
                        TaskletState.CANCELLED, inner.fork("never", () -> 1).state());
            }
        }
    }

    @Test
    void closingAnOuterScopeFirstLeavesALaterOneRunning() throws Exception {
        // A long-lived scope (a server's) opened first and closed first: the later one is not its to stop.
        CountDownLatch release = new CountDownLatch(1);
        TaskletScope first = TaskletScope.supervise("long-lived").open();
        first.fork("first's", () -> release.await());
        TaskletScope second = TaskletScope.supervise("opened-after").open();
        Tasklet<Void> secondsChild = second.fork("second's", () -> release.await());
        first.close(); // cancels and waits for its own child only
        assertFalse(second.isCancelled());
        assertEquals(TaskletState.RUNNING, secondsChild.state());
        assertEquals(7, second.fork("still forks", () -> 7).join());
        release.countDown();
        second.join();
        second.close();
        assertEquals(TaskletState.DONE, secondsChild.state());
        // and nothing of either is left to nest under
        try (var fresh = TaskletScope.supervise("fresh").open()) {
            first.cancel();
            second.cancel();
            assertFalse(fresh.isCancelled());
        }
    }

    @Test
    void aScopeOpenedAfterTheInnerOneClosedNestsInTheOuterOne() throws Exception {
        try (var outer = TaskletScope.supervise("outer-again").open()) {
            try (var inner = TaskletScope.supervise("first-inner").open()) {
                inner.fork("x", () -> 1).join();
            }
            try (var next = TaskletScope.supervise("second-inner").open()) {
                outer.cancel();
                assertTrue(next.isCancelled(), "the outer scope is the parent again once the inner one closed");
            }
        }
    }

    @Test
    void scopesOfOtherThreadsDoNotNestByThread() throws Exception {
        AtomicReference<TaskletScope> other = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().name("another-thread").start(() -> {
            try (var s = TaskletScope.supervise("on-another-thread").open()) {
                other.set(s);
                opened.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (var mine = TaskletScope.supervise("on-this-thread").open()) {
            opened.await();
            mine.cancel();
            assertFalse(other.get().isCancelled());
        } finally {
            done.countDown();
            t.join();
        }
    }

    private static ScopeCore openCore(String name) {
        return ScopeCore.open(
                name, ScopeCore.Policy.FAIL_FAST, 0, null, null, null, TaskletScope.DEFAULT_CLOSE_WARNING, false);
    }

    /** Collects garbage until {@code ref} is cleared, for at most 10 s. */
    private static void assertCollected(WeakReference<?> ref, String what) {
        await().alias(what)
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    System.gc();
                    return ref.get() == null;
                });
    }

    /**
     * Open A, open B, close A, open C, close B, open D...: each scope is opened inside the previous one,
     * which then closes before it. No closed scope may stay reachable from the open ones, or from one
     * that is closed and still held.
     */
    static void closedScopesAreNotKeptByTheScopesOpenedAfterThem() {
        ScopeCore held = openCore("held");
        ScopeCore previous = openCore("chain-0"); // nested in held
        WeakReference<ScopeCore> first = new WeakReference<>(previous);
        held.close(-1); // closed first, and still referenced, as by a field
        for (int i = 1; i <= 1000; i++) {
            ScopeCore next = openCore("chain-" + i);
            assertTrue(next.enclosing == previous, "it nests in the open one before it");
            previous.close(-1);
            previous = next;
        }
        assertTrue(held.isClosed());
        assertCollected(first, "the first scope of the chain, closed long ago");
        previous.close(-1);
    }

    @Test
    void onAPlainThreadClosedScopesAreNotKeptReachable() {
        assertTimeoutPreemptively(BOUND, ScopeNestingTest::closedScopesAreNotKeptByTheScopesOpenedAfterThem);
    }

    @Test
    void inATaskletClosedScopesAreNotKeptReachable() {
        assertTimeoutPreemptively(
                BOUND,
                () -> Tasklets.start("leak check", ScopeNestingTest::closedScopesAreNotKeptByTheScopesOpenedAfterThem)
                        .join());
    }

    /** Ends a helper thread's loop. */
    private record StopHelper() implements Runnable {
        @Override
        public void run() {}
    }

    /**
     * Scopes opened nested on many threads while other threads close the outer ones out of order and
     * cancel the middle ones: a cancel reaches the scope linked in under it at the same moment, and
     * afterwards no thread has a scope listed and the registry shows none.
     */
    @RepeatedTest(5)
    void nestingSurvivesClosesAndCancelsFromOtherThreads() throws Exception {
        int rounds = 300;
        BlockingQueue<Runnable> closer = new LinkedBlockingQueue<>();
        BlockingQueue<Runnable> canceller = new LinkedBlockingQueue<>();
        Runnable stop = new StopHelper();
        List<Thread> helpers = new ArrayList<>();
        for (BlockingQueue<Runnable> q : List.of(closer, canceller)) {
            helpers.add(Thread.ofPlatform().name("nesting helper").start(() -> {
                try {
                    for (Runnable r = q.take(); !(r instanceof StopHelper); r = q.take()) {
                        r.run();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        AtomicInteger missed = new AtomicInteger();
        CheckedRunnable work = () -> {
            for (int i = 0; i < rounds; i++) {
                ScopeCore a = openCore("stress-a");
                ScopeCore b = openCore("stress-b"); // in a
                CountDownLatch cancelled = new CountDownLatch(1);
                closer.add(() -> a.close(-1)); // unlinks a, out of order, while b and c come and go here
                canceller.add(() -> {
                    b.cancel(); // races with c's link below
                    cancelled.countDown();
                });
                ScopeCore c = openCore("stress-c"); // in b, before or after b's cancel
                cancelled.await();
                if (!c.isCancelled()) {
                    missed.incrementAndGet(); // b was open and cancelled, c nested in it
                }
                ScopeCore d = openCore("stress-d"); // in c, cancelled: born cancelled
                if (!d.isCancelled()) {
                    missed.incrementAndGet();
                }
                d.close(-1);
                c.close(-1);
                b.close(-1);
            }
        };
        List<Tasklet<Void>> tasklets = new ArrayList<>();
        List<Thread> plain = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            tasklets.add(Tasklets.start("stress", work));
            plain.add(Thread.ofPlatform().name("stress-plain").start(() -> {
                try {
                    work.run();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }));
        }
        for (Tasklet<Void> t : tasklets) {
            t.join(Duration.ofMinutes(2));
        }
        for (Thread t : plain) {
            assertTrue(t.join(Duration.ofMinutes(2)));
        }
        closer.add(stop);
        canceller.add(stop);
        for (Thread h : helpers) {
            assertTrue(h.join(Duration.ofMinutes(2)));
        }
        assertEquals(0, missed.get(), "a cancel missed a scope nested in the scope it cancelled");
        for (Thread t : plain) {
            assertFalse(ScopeCore.INNERMOST_ON_PLAIN_THREADS.containsKey(t), "a plain thread keeps a scope listed");
        }
        for (Tasklet<Void> t : tasklets) {
            assertEquals(null, ((TaskletImpl<?>) t).innermostScope(), "a tasklet keeps a scope listed");
        }
        String tree = Tasklets.snapshot().toText();
        assertFalse(tree.contains("stress-"), tree);
    }
}
