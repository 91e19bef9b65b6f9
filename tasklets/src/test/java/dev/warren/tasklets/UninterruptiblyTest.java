package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UninterruptiblyTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void awaitWaitsAgainAfterEachInterruptAndRestoresTheFlag() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger onInterrupt = new AtomicInteger();
        Uninterruptibly.await(
                () -> {
                    if (calls.incrementAndGet() <= 2) {
                        throw new InterruptedException("interrupt " + calls.get());
                    }
                },
                onInterrupt::incrementAndGet);
        assertEquals(3, calls.get(), "two interrupted waits, then the one that returned");
        assertEquals(2, onInterrupt.get(), "the action ran once per interrupt");
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    }

    @Test
    void awaitWithoutInterruptLeavesTheFlagClear() {
        AtomicInteger calls = new AtomicInteger();
        Uninterruptibly.await(calls::incrementAndGet);
        assertEquals(1, calls.get());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void awaitOnceEndsOnAnInterruptAndRestoresTheFlag() {
        AtomicInteger calls = new AtomicInteger();
        boolean done = Uninterruptibly.awaitOnce(() -> {
            calls.incrementAndGet();
            throw new InterruptedException();
        });
        assertFalse(done);
        assertEquals(1, calls.get(), "not retried");
        assertTrue(Thread.currentThread().isInterrupted());
        Thread.interrupted();
        assertTrue(Uninterruptibly.awaitOnce(() -> {}));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aRealInterruptOfAWaitingTaskletIsSurvivedAndKept() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        Tasklet<Boolean> t = Tasklets.start("waiter", () -> {
            Uninterruptibly.await(() -> {
                waiting.countDown();
                release.await();
            });
            return Thread.currentThread().isInterrupted();
        });
        waiting.await();
        ((TaskletImpl<?>) t).thread().interrupt();
        release.countDown();
        assertTrue(t.join(), "the tasklet ended its wait and still saw its interrupt");
    }
}
