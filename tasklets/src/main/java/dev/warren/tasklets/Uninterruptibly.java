package dev.warren.tasklets;

/**
 * Waits that must not be cut short by an interrupt, with the interrupt kept for the caller: the
 * pattern of "remember the interrupt, wait again, restore the flag at the end" written once. Used where
 * a close or a join has a promise to keep (every connection drained, every tasklet ended) that an
 * interrupt of the closing thread must not break, and where a bounded wait in a close may end early
 * on an interrupt but must not swallow it.
 *
 * <p>Threading: static methods, safe from any thread; they block only as long as the given wait does.
 */
public final class Uninterruptibly {

    /** A wait that may be interrupted. */
    @FunctionalInterface
    public interface Wait {
        /** Waits; throws {@link InterruptedException} if the thread is interrupted meanwhile. */
        void await() throws InterruptedException;
    }

    private Uninterruptibly() {}

    /**
     * Runs {@code wait} until it returns without an interrupt, waiting again after each one; if the
     * thread was interrupted meanwhile, its interrupt status is set again when this returns.
     */
    public static void await(Wait wait) {
        await(wait, null);
    }

    /**
     * Like {@link #await(Wait)}, running {@code onInterrupt} after each interrupt before waiting again
     * (for example to turn a graceful shutdown into a forced one: the caller asked to stop waiting, the
     * wait is made shorter instead of abandoned).
     */
    public static void await(Wait wait, Runnable onInterrupt) {
        boolean interrupted = false;
        try {
            for (; ; ) {
                try {
                    wait.await();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (onInterrupt != null) {
                        onInterrupt.run();
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs {@code wait} once: an interrupt ends it early, and the interrupt status is set again so the
     * caller (and its caller) still sees it. Returns false if it was interrupted.
     */
    public static boolean awaitOnce(Wait wait) {
        try {
            wait.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
