package dev.warren.tasklets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.atomic.AtomicReferenceArrayQueue;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

/**
 * The {@link Channel}: a JCTools array queue for the values, a reservation counter for the exact
 * capacity and the close, and two queues of parked {@link Waiter}s.
 *
 * <p><b>Reservations.</b> JCTools rounds capacities up to a power of two, so a sender first reserves a
 * slot: {@code reserved} counts reservations ever made and holds the closed flag in its sign bit. A
 * reservation succeeds while {@code reserved - consumerIndex < capacity}; because the consumer index
 * only grows, the test can only err on the safe side, and the queue offer after it cannot fail. Every
 * reservation is followed by exactly one offer, so after the close (which freezes {@code reserved})
 * the channel is drained exactly when the producer index reached {@code reserved} and the queue is
 * empty: a send that reserved before the close is always delivered, one after it always throws.
 *
 * <p><b>Parking.</b> A receiver that finds the queue empty spins briefly, then queues a waiter, polls
 * again and only then parks. A sender wakes one receiver after its offer if any waits. Both sides
 * publish with a volatile write (the receiver's CAS into the waiter queue; the queue's CAS of its
 * producer index) and then check the other side with a volatile read (the queue's emptiness test reads
 * the producer index; the waiter queue's head), so in the total order of synchronization actions at
 * least one of them sees the other: no wakeup is lost. The same holds for senders waiting for room,
 * with the consumer index in place of the producer index; the single-consumer queue publishes its
 * consumer index with a release store only, so there the receiver adds a full fence.
 */
final class ArrayChannel<T> extends ChannelPads.Pad1 implements Channel<T> {

    /**
     * Polls before parking, as a park/unpark costs microseconds. Kept short: a PAUSE takes ~100 cycles
     * on current x86, and when the partner was unparked onto this very carrier spinning only delays it;
     * the {@link Thread#yield()} after the spins lets such a partner run (measured in ChannelBench:
     * 256 spins cost ping-pong 50x).
     */
    static final int SPINS = 32;

    /** Spins, then yields the carrier once; true while the caller should keep polling before parking. */
    // One yield lets the partner tasklet on the same carrier run before we pay for a park; measured, not
    // a scheduling assumption (see SPINS).
    @SuppressWarnings("ThreadPriorityCheck")
    static boolean backOff(int i) {
        if (i < SPINS) {
            Thread.onSpinWait();
            return true;
        }
        if (i == SPINS) {
            Thread.yield();
            return true;
        }
        return false;
    }

    private static final long CLOSED = Long.MIN_VALUE;
    private static final VarHandle RESERVED;

    static {
        try {
            RESERVED = MethodHandles.lookup().findVarHandle(ChannelPads.SenderFields.class, "reserved", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int RESERVED_OK = 0;
    private static final int RESERVE_FULL = 1;
    private static final int RESERVE_CLOSED = 2;

    private final AtomicReferenceArrayQueue<T> queue;
    private final int capacity;
    private final String name;
    private final OverflowPolicy policy;
    private final boolean singleConsumer;
    private final ConcurrentLinkedQueue<Waiter> receivers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Waiter> senders = new ConcurrentLinkedQueue<>();
    private final LongAdder droppedNewest = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Object receiveHint;
    private String closedMessage;
    private final Object sendHint;

    ArrayChannel(String name, int capacity, OverflowPolicy policy, boolean singleConsumer) {
        this.name = name;
        this.capacity = capacity;
        this.policy = policy;
        this.singleConsumer = singleConsumer;
        int queueCapacity = Math.max(2, capacity); // JCTools' minimum; the reservation keeps it exact
        this.queue =
                singleConsumer ? new MpscAtomicArrayQueue<>(queueCapacity) : new MpmcAtomicArrayQueue<>(queueCapacity);
        this.sendLimit = capacity;
        this.receiveHint = new Hint("receive", this);
        this.sendHint = new Hint("send", this);
    }

    // ---- sending ----

    @Override
    public void send(T value) throws InterruptedException {
        requireValue(value);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        int r = tryReserve();
        if (r == RESERVED_OK) {
            publish(value);
            Fairness.checkpoint(); // a sender that never has to wait must still give its carrier back
        } else if (r == RESERVE_CLOSED) {
            throw closedException();
        } else {
            onFull(value, false, 0L);
        }
    }

    @Override
    public boolean send(T value, Duration timeout) throws InterruptedException {
        requireValue(value);
        long nanos = Durations.timeoutNanos(timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        int r = tryReserve();
        if (r == RESERVED_OK) {
            publish(value);
            Fairness.checkpoint();
            return true;
        }
        if (r == RESERVE_CLOSED) {
            throw closedException();
        }
        return onFull(value, true, System.nanoTime() + nanos);
    }

    @Override
    public boolean offer(T value) {
        requireValue(value);
        int r = tryReserve();
        if (r == RESERVED_OK) {
            publish(value);
            return true;
        }
        if (r == RESERVE_CLOSED) {
            throw closedException();
        }
        return switch (policy) {
            case DROP_NEWEST -> {
                droppedNewest.increment();
                yield false;
            }
            case DROP_OLDEST -> {
                sendEvicting(value);
                yield true;
            }
            case BLOCK, FAIL -> false;
        };
    }

    /** The full-channel path of a send; returns whether the value was queued. */
    private boolean onFull(T value, boolean timed, long deadline) throws InterruptedException {
        return switch (policy) {
            case BLOCK -> sendBlocking(value, timed, deadline);
            case DROP_NEWEST -> {
                droppedNewest.increment();
                yield false;
            }
            case DROP_OLDEST -> {
                sendEvicting(value);
                yield true;
            }
            case FAIL -> {
                rejected.increment();
                throw new ChannelFullException(name, capacity);
            }
        };
    }

    private int tryReserve() {
        long s = (long) RESERVED.getVolatile(this);
        for (; ; ) {
            if (s < 0L) {
                return RESERVE_CLOSED;
            }
            if (s >= sendLimit) {
                // The cached limit is stale or the channel is full: read the consumers' progress.
                long limit = queue.lvConsumerIndex() + capacity;
                sendLimit = limit; // racy but safe: any value written was a true limit once, and limits only grow
                if (s >= limit) {
                    return RESERVE_FULL;
                }
            }
            long witness = (long) RESERVED.compareAndExchange(this, s, s + 1L);
            if (witness == s) {
                return RESERVED_OK;
            }
            s = witness;
        }
    }

    /** Queues a value whose slot is reserved, and wakes a receiver if one is parked. */
    private void publish(T value) {
        if (!queue.offer(value)) {
            throw new IllegalStateException("channel '" + name + "': queue refused a reserved slot (bug)");
        }
        if (!receivers.isEmpty()) {
            wakeOne(receivers);
        }
    }

    private void sendEvicting(T value) {
        for (; ; ) {
            int r = tryReserve();
            if (r == RESERVED_OK) {
                publish(value);
                return;
            }
            if (r == RESERVE_CLOSED) {
                throw closedException();
            }
            if (queue.poll() != null) {
                evicted.increment();
            }
        }
    }

    private boolean sendBlocking(T value, boolean timed, long deadline) throws InterruptedException {
        for (int i = 0; backOff(i); i++) {
            int r = tryReserve();
            if (r == RESERVED_OK) {
                publish(value);
                return true;
            }
            if (r == RESERVE_CLOSED) {
                throw closedException();
            }
        }
        Object previousHint = Tasklets.blockingOn(sendHint);
        boolean woken = false; // holding a wakeup we have not used yet
        try {
            for (; ; ) {
                int r = tryReserve();
                if (r == RESERVED_OK) {
                    publish(value);
                    return true;
                }
                if (r == RESERVE_CLOSED) {
                    throw closedException();
                }
                if (timed && deadline - System.nanoTime() <= 0L) {
                    return false;
                }
                woken = false;
                Waiter w = new Waiter(Thread.currentThread());
                senders.offer(w);
                r = tryReserve();
                if (r != RESERVE_FULL) {
                    woken = giveUp(w, senders);
                    if (r == RESERVED_OK) {
                        publish(value);
                        return true;
                    }
                    throw closedException();
                }
                int outcome = w.await(this, timed, deadline);
                woken = w.wokenBy() != null;
                if (!woken) {
                    senders.remove(w);
                }
                if (outcome == Waiter.INTERRUPTED) {
                    throw new InterruptedException();
                }
                if (!woken) {
                    return false; // timed out
                }
            }
        } finally {
            Tasklets.unblocked(previousHint);
            if (woken) {
                handOnSend();
            }
        }
    }

    // ---- receiving ----

    @Override
    public T receive() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        T v = queue.poll();
        if (v != null) {
            afterTake();
            Fairness.checkpoint(); // a receiver that never has to wait must still give its carrier back
            return v;
        }
        return receiveSlow(false, 0L);
    }

    @Override
    public T receive(Duration timeout) throws InterruptedException {
        long nanos = Durations.timeoutNanos(timeout);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        T v = queue.poll();
        if (v != null) {
            afterTake();
            Fairness.checkpoint();
            return v;
        }
        return receiveSlow(true, System.nanoTime() + nanos);
    }

    @Override
    public T poll() {
        T v = queue.poll();
        if (v == null && (v = pollInFlight()) == null) {
            return null;
        }
        afterTake();
        return v;
    }

    /**
     * The queue looked empty, but a send that has reserved its slot may not have put its value in yet.
     * That send is accepted already (it cannot fail any more, and a close after its reservation still
     * delivers it), so poll waits for the value instead of answering "empty": a caller that saw the
     * channel closed and then null from poll concludes it is drained (Lincheck found a send lost that
     * way). The wait is the few instructions between a reservation and its queue offer, which never
     * block. Empty means: every reservation made so far has been taken (the consumer index is read
     * first, so the reservations read after it can only be as many or more).
     */
    @SuppressWarnings("ThreadPriorityCheck") // see backOff: let a sender on this carrier's queue finish
    private T pollInFlight() {
        for (int i = 0; ; i++) {
            long taken = queue.lvConsumerIndex();
            long reservedNow = (long) RESERVED.getVolatile(this) & ~CLOSED;
            if (reservedNow <= taken) {
                return null;
            }
            if ((i & 63) == 63) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            T v = queue.poll();
            if (v != null) {
                return v;
            }
        }
    }

    private T receiveSlow(boolean timed, long deadline) throws InterruptedException {
        for (int i = 0; backOff(i); i++) {
            T v = poll();
            if (v != null) {
                return v;
            }
            if (isClosedAndDrained()) {
                throw closedException();
            }
        }
        Object previousHint = Tasklets.blockingOn(receiveHint);
        boolean woken = false;
        try {
            for (; ; ) {
                T v = poll();
                if (v != null) {
                    return v;
                }
                if (isClosedAndDrained()) {
                    throw closedException();
                }
                if (timed && deadline - System.nanoTime() <= 0L) {
                    return null;
                }
                woken = false;
                Waiter w = new Waiter(Thread.currentThread());
                receivers.offer(w);
                v = poll();
                if (v != null || isClosedAndDrained()) {
                    woken = giveUp(w, receivers);
                    if (v != null) {
                        return v;
                    }
                    throw closedException();
                }
                int outcome = w.await(this, timed, deadline);
                woken = w.wokenBy() != null;
                if (!woken) {
                    receivers.remove(w);
                }
                if (outcome == Waiter.INTERRUPTED) {
                    throw new InterruptedException();
                }
                if (!woken) {
                    return null; // timed out
                }
            }
        } finally {
            Tasklets.unblocked(previousHint);
            if (woken) {
                handOnReceive();
            }
        }
    }

    /** After a value left the queue: a slot is free, so wake a sender parked for room. */
    private void afterTake() {
        if (policy == OverflowPolicy.BLOCK) {
            if (singleConsumer) {
                VarHandle.fullFence(); // the MPSC queue's consumer index is a release store; see the class comment
            }
            if (!senders.isEmpty()) {
                wakeOne(senders);
            }
        }
    }

    // ---- waiters ----

    /**
     * Cancels a waiter whose owner no longer needs to park; returns true if it had been woken already,
     * in which case the caller owns that wakeup. A cancelled waiter unlinks itself so that timeouts
     * leave no garbage behind.
     */
    private static boolean giveUp(Waiter w, ConcurrentLinkedQueue<Waiter> queue) {
        if (w.tryCancel()) {
            queue.remove(w);
            return false;
        }
        return true;
    }

    private void wakeOne(ConcurrentLinkedQueue<Waiter> waiters) {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            if (w.tryWake(this)) {
                return;
            }
        }
    }

    private void wakeAll(ConcurrentLinkedQueue<Waiter> waiters) {
        Waiter w;
        while ((w = waiters.poll()) != null) {
            w.tryWake(this);
        }
    }

    /**
     * Called by a receiver leaving with a wakeup it did not use for the value it was meant for: if
     * values are still queued, another parked receiver must look.
     */
    void handOnReceive() {
        if (!queue.isEmpty() && !receivers.isEmpty()) {
            wakeOne(receivers);
        }
    }

    private void handOnSend() {
        long s = reserved;
        if (s >= 0L && s - queue.lvConsumerIndex() < capacity && !senders.isEmpty()) {
            wakeOne(senders);
        }
    }

    /** For {@link Select}: queue a waiter among the receivers. */
    void addReceiver(Waiter w) {
        receivers.offer(w);
    }

    /** For {@link Select}: unlink a waiter that is done (woken by another channel, or cancelled). */
    void removeReceiver(Waiter w) {
        receivers.remove(w);
    }

    /** For tests: waiter nodes queued, to prove that timeouts and interrupts leave none behind. */
    int queuedWaiters() {
        return receivers.size() + senders.size();
    }

    // ---- closing and state ----

    @Override
    public void close() {
        long s = reserved;
        while (s >= 0L) {
            long witness = (long) RESERVED.compareAndExchange(this, s, s | CLOSED);
            if (witness == s) {
                wakeAll(receivers);
                wakeAll(senders);
                return;
            }
            s = witness;
        }
    }

    @Override
    public boolean isClosed() {
        return reserved < 0L;
    }

    /** True once closed and every value sent before the close was received; stays true. */
    boolean isClosedAndDrained() {
        long s = reserved;
        // Closed freezes the reservations; once all are offered and taken, nothing can ever arrive.
        return s < 0L && queue.currentProducerIndex() == (s & ~CLOSED) && queue.isEmpty();
    }

    ChannelClosedException closedException() {
        String m = closedMessage;
        if (m == null) {
            m = closedMessage = "channel '" + name + "' is closed"; // racy but idempotent
        }
        return new ChannelClosedException(m, name);
    }

    @Override
    public int size() {
        return Math.min(queue.size(), capacity);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public OverflowPolicy overflowPolicy() {
        return policy;
    }

    @Override
    public long sentCount() {
        return queue.currentProducerIndex();
    }

    @Override
    public long receivedCount() {
        // Evictions are polls too; read them first so a racing eviction can only make this lower.
        long ev = evicted.sum();
        return Math.max(0L, queue.currentConsumerIndex() - ev);
    }

    @Override
    public long droppedCount() {
        return droppedNewest.sum() + evicted.sum();
    }

    @Override
    public long rejectedCount() {
        return rejected.sum();
    }

    @Override
    public String toString() {
        return "channel '" + name + "' (" + size() + "/" + capacity + (isClosed() ? ", closed)" : ")");
    }

    private void requireValue(T value) {
        if (value == null) {
            throw new NullPointerException("channel '" + name + "' does not accept null values");
        }
    }

    /** What the registry shows for a tasklet parked here: "receive on channel 'orders' (0/16)". */
    private record Hint(String op, ArrayChannel<?> channel) {
        @Override
        public String toString() {
            return op + " on " + channel;
        }
    }
}
