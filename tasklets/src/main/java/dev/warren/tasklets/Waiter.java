package dev.warren.tasklets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One parked thread waiting for a channel to change: a receiver waiting for a value, a sender waiting
 * for room, or a {@link Select} waiting on several channels at once (the same node is queued on each).
 *
 * <p>The state moves once, from waiting (null) to either the channel that woke it or {@link #CANCELLED};
 * the CAS decides the race between a waker and a timeout or interrupt. A waiter that loses that race
 * (it was woken while giving up) owns a wakeup it will not use and must hand it on, or a value could sit
 * in the channel while another waiter sleeps.
 *
 * <p>Nodes are used for one park cycle only: re-arming a node still queued on another channel of a
 * select would make its stale entry live again.
 */
final class Waiter {
    static final Object CANCELLED = new Object() {
        @Override
        public String toString() {
            return "cancelled";
        }
    };

    /** Outcomes of {@link #await}. */
    static final int WOKEN = 0;

    static final int TIMED_OUT = 1;
    static final int INTERRUPTED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread;
    private volatile Object state;

    Waiter(Thread thread) {
        this.thread = thread;
    }

    /** Wakes the waiter on behalf of {@code by}; false if it was already woken or gave up. */
    boolean tryWake(Object by) {
        if (STATE.compareAndSet(this, null, by)) {
            LockSupport.unpark(thread);
            return true;
        }
        return false;
    }

    /** Gives up waiting; false if a waker got there first (the caller then owns that wakeup). */
    boolean tryCancel() {
        return STATE.compareAndSet(this, null, CANCELLED);
    }

    /** The channel that woke this waiter, or null if it is still waiting or was cancelled. */
    Object wokenBy() {
        Object s = state;
        return s == CANCELLED ? null : s;
    }

    /**
     * Parks the calling thread (which must be {@link #thread}) until it is woken, the deadline passes
     * ({@code timed} only) or the thread is interrupted. On timeout or interrupt the waiter is
     * cancelled unless a waker won the race, which {@link #wokenBy()} then tells. The interrupt status
     * is cleared when {@link #INTERRUPTED} is returned.
     */
    int await(Object blocker, boolean timed, long deadline) {
        if (state == null) {
            Fairness.waited(); // whatever happens below, this tasklet's next turn starts after it
        }
        while (state == null) {
            if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0L) {
                    tryCancel();
                    return TIMED_OUT;
                }
                LockSupport.parkNanos(blocker, remaining);
            } else {
                LockSupport.park(blocker);
            }
            if (Thread.interrupted()) {
                tryCancel();
                return INTERRUPTED;
            }
        }
        return WOKEN;
    }
}
