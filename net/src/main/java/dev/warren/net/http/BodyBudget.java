package dev.warren.net.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes of request bodies a server holds in memory at once, over all its connections: what
 * {@link Request#body()} and {@link Request#bodyString()} read into arrays. Without a budget, 550
 * concurrent 10 MB POSTs to a handler that reads the body whole took a process to 6.3 GB; with it,
 * bodies beyond the budget wait for room, and get 503 if none frees up in time.
 *
 * <p><b>Threading.</b> Any tasklet may reserve and release; {@link #reserve} blocks (interruptibly) on
 * a {@link ReentrantLock}'s condition, never pinning a carrier.
 */
final class BodyBudget {
    private final long capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private long used;

    BodyBudget(long capacity) {
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    /** Bytes reserved now. */
    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reserves {@code bytes} (a body larger than the whole budget waits until it is all free), waiting at
     * most {@code timeoutNanos} for room; returns the bytes reserved, or -1 if the time ran out first.
     */
    long reserve(long bytes, long timeoutNanos) throws InterruptedException {
        long want = Math.min(bytes, capacity);
        long left = timeoutNanos;
        lock.lock();
        try {
            while (used + want > capacity) {
                if (left <= 0) {
                    return -1;
                }
                left = freed.awaitNanos(left);
            }
            used += want;
            return want;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back {@code bytes} reserved earlier. */
    void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        lock.lock();
        try {
            used -= bytes;
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "BodyBudget[" + used() + " of " + capacity + " bytes]";
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
