package dev.warren.tasklets.testing;

import java.util.concurrent.CountDownLatch;

/** Waits that interrupts do not end, for tests of tasklets that ignore (or outlast) their cancellation. */
public final class Interrupts {
    private Interrupts() {}

    /**
     * Waits for {@code release}, swallowing every interrupt: the misbehaving task under test, which
     * ignores its cancellation. The interrupt is lost.
     */
    public static void swallowUntil(CountDownLatch release) {
        for (; ; ) {
            try {
                release.await();
                return;
            } catch (InterruptedException swallowed) {
                // the bug under test: the cancel is ignored
            }
        }
    }

    /** Waits for {@code latch} whatever interrupts come, then sets the interrupt status again if one came. */
    public static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        for (; ; ) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
