package dev.warren.net.frame;

import dev.warren.tasklets.Channel;
import java.net.ProtocolException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The bookkeeping of a {@link MessageClientImpl}: the messages written and not yet acknowledged (the
 * at-least-once ledger, resent in order on the next connection), the count of messages settled (taken
 * from the queue and flushed, or lost with their connection), and the one condition every waiter of
 * the client parks on (idle, up, room for more unacknowledged messages, the last acks at close).
 *
 * <p>At most once nothing is ever unacknowledged: only {@link #settle} and the waits are used.
 *
 * <p><b>Threading.</b> Every method takes the ledger's {@link ReentrantLock} (never held across I/O or a
 * queue operation that blocks); every change signals all waiters. The writer tasklet adds and settles,
 * the reader tasklet acknowledges, any thread waits and reads the counts.
 */
final class DeliveryLedger {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final int capacity;
    // guarded by lock
    private final ArrayDeque<byte[]> unacked = new ArrayDeque<>();
    private long settled;

    /** @param capacity the most unacknowledged messages before the writer waits for acks */
    DeliveryLedger(int capacity) {
        this.capacity = capacity;
    }

    /** Runs {@code change} under the lock, then wakes every waiter. */
    void changed(Runnable change) {
        lock.lock();
        try {
            change.run();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code done} (checked under the lock after every change) or {@code nanos} passed; false then. */
    boolean await(BooleanSupplier done, long nanos) throws InterruptedException {
        long left = nanos;
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                if (left <= 0) {
                    return false;
                }
                left = progress.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when nothing is in flight: {@code queue} empty, everything taken from it settled and
     * acknowledged. Called with the lock held (from an {@link #await} condition) or through {@link
     * #drained}.
     */
    boolean idle(Channel<?> queue) {
        return queue.size() == 0 && settled == queue.receivedCount() && unacked.isEmpty();
    }

    /** {@link #idle} under the lock. */
    boolean drained(Channel<?> queue) {
        lock.lock();
        try {
            return idle(queue);
        } finally {
            lock.unlock();
        }
    }

    /** The unacknowledged messages in send order, for the next connection to resend first. */
    Object[] unackedSnapshot() {
        lock.lock();
        try {
            return unacked.toArray();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code m} to the unacknowledged messages and says whether there is room for another one
     * after it. Called by the writer only, so the room it sees cannot shrink.
     */
    boolean add(byte[] m) {
        lock.lock();
        try {
            unacked.addLast(m);
            return unacked.size() < capacity;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until fewer than the capacity are unacknowledged. */
    void awaitRoom() throws InterruptedException {
        lock.lock();
        try {
            while (unacked.size() >= capacity) {
                progress.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Counts {@code batch} messages taken from the queue as done with (flushed, or lost). */
    void settle(int batch) {
        lock.lock();
        try {
            settled += batch;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes the {@code n} oldest unacknowledged messages, counting them in {@code acknowledged}
     * before the signal (whoever sees the client idle sees the count too).
     *
     * @throws ProtocolException if the server acknowledged more than were unacknowledged
     */
    void acked(long n, LongAdder acknowledged) throws ProtocolException {
        if (n == 0) {
            return;
        }
        lock.lock();
        try {
            if (n > unacked.size()) {
                throw new ProtocolException(
                        "the server acknowledged " + n + " messages, only " + unacked.size() + " were unacknowledged");
            }
            for (long i = 0; i < n; i++) {
                unacked.pollFirst();
            }
            acknowledged.add(n);
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every message is acknowledged or {@link System#nanoTime()} passes {@code deadline}. */
    void awaitAllAcked(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!unacked.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                progress.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts every message still queued or unacknowledged in {@code abandoned}, once: they leave the
     * queue and the ledger here. Called when no writer runs, so the caller is the queue's only consumer.
     * The polls count as received in the channel's own counters, which is why {@link #idle}'s {@code
     * receivedCount} is not used here: that would count them again.
     */
    void abandonAll(Channel<?> queue, LongAdder abandoned) {
        lock.lock();
        try {
            long left = unacked.size();
            unacked.clear();
            while (queue.poll() != null) {
                left++;
            }
            abandoned.add(left);
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Messages written and not yet acknowledged. */
    int unackedCount() {
        lock.lock();
        try {
            return unacked.size();
        } finally {
            lock.unlock();
        }
    }
}
