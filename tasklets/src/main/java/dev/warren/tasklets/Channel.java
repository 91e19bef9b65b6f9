package dev.warren.tasklets;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded queue that carries values from sending tasklets to receiving tasklets.
 *
 * <pre>{@code
 * Channel<Order> orders = Channel.<Order>builder(1024).name("orders").build();
 * Tasklets.start("producer", () -> {
 *     try (orders) { for (Order o : source) orders.send(o); }      // close() ends the stream
 * });
 * Tasklets.start("consumer", () -> {
 *     try {
 *         for (;;) handle(orders.receive());
 *     } catch (ChannelClosedException done) { }                    // every value was received
 * });
 * }</pre>
 *
 * <p><b>Threading.</b> Any number of tasklets (or plain threads) may send and receive at once, unless the
 * channel was built {@linkplain Builder#singleConsumer() single-consumer}: then only one thread at a
 * time may receive. {@link #send(Object)} blocks while the channel is full under
 * {@link OverflowPolicy#BLOCK}; under the other policies it never blocks. {@link #receive()} blocks while
 * the channel is empty. {@link #offer(Object)} and {@link #poll()} never block. A tasklet parked in a
 * channel shows the channel in {@link Tasklets#snapshot()} ({@code waitingOn}). Blocking methods throw
 * {@link InterruptedException} when the caller is interrupted (a cancelled tasklet), also on entry; the
 * channel is unchanged by an interrupted call.
 *
 * <p><b>Capacity.</b> Exactly {@link #capacity()} values fit, whatever the capacity (it need not be a
 * power of two), from 1 to {@link #MAX_CAPACITY} (2<sup>30</sup>). What a send does on a full channel is
 * the {@link OverflowPolicy}. The channel's array is allocated when it is built, with the capacity
 * rounded up to a power of two: a slot costs a reference (4 or 8 bytes), plus an 8-byte sequence number
 * unless the channel is {@linkplain Builder#singleConsumer() single-consumer}, so a channel of
 * {@code MAX_CAPACITY} needs gigabytes of heap. Size channels for the burst they absorb, not for
 * everything that may ever be queued.
 *
 * <p><b>Closing.</b> After {@link #close()}, sends throw {@link ChannelClosedException}; receivers still
 * get every value queued before the close, then {@code receive} throws {@code ChannelClosedException}.
 * A send racing with {@code close} either throws or its value is delivered, never silently lost.
 * Closing wakes every parked sender and receiver. Closing twice is harmless. Any tasklet may close;
 * usually the (last) producer does.
 *
 * <p><b>Order.</b> Receivers get values in the order their sends entered the channel, so one sender's
 * values arrive in the order it sent them. The channel is linearizable (Lincheck checks it against a
 * plain queue) except in two races, both on a full channel: two sends at once may enter in the other
 * order than the one in which they found room, and under {@link OverflowPolicy#DROP_OLDEST} a send may
 * evict a value while a receiver is making room (docs/QUALITY.md, "Proofs").
 *
 * <p><b>Memory consistency.</b> Actions in a tasklet before it sends a value happen-before actions after
 * the receiving tasklet gets that value. Actions before {@code close} happen-before a receive that throws
 * {@code ChannelClosedException} on that channel.
 *
 * <p><b>Nulls.</b> Null values are rejected with {@link NullPointerException}; {@code null} from
 * {@link #poll()} and the timed {@link #receive(Duration)} means "nothing".
 *
 * @param <T> the type of the values
 */
public sealed interface Channel<T> extends AutoCloseable permits ArrayChannel {

    /**
     * The largest capacity, 2<sup>30</sup> (1,073,741,824): the array behind a channel has a power-of-two
     * length, and 2<sup>30</sup> is the largest power of two an {@code int} length can be.
     */
    int MAX_CAPACITY = 1 << 30;

    /**
     * A channel holding at most {@code capacity} values, policy {@link OverflowPolicy#BLOCK}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in 1..{@link #MAX_CAPACITY}
     */
    static <T> Channel<T> bounded(int capacity) {
        return Channel.<T>builder(capacity).build();
    }

    /**
     * A builder for a channel holding at most {@code capacity} values.
     *
     * @throws IllegalArgumentException if {@code capacity} is not in 1..{@link #MAX_CAPACITY}
     */
    static <T> Builder<T> builder(int capacity) {
        return new Builder<>(capacity);
    }

    /**
     * Sends {@code value}, waiting while the channel is full under {@link OverflowPolicy#BLOCK}. Under
     * the other policies it does not wait: {@code DROP_NEWEST} discards {@code value},
     * {@code DROP_OLDEST} evicts the oldest queued value, {@code FAIL} throws.
     *
     * @throws ChannelClosedException if the channel is closed
     * @throws ChannelFullException if the channel is full and its policy is {@code FAIL}
     * @throws InterruptedException if the caller is interrupted; {@code value} was not sent
     */
    void send(T value) throws InterruptedException;

    /**
     * Like {@link #send(Object)}, waiting at most {@code timeout} for room under
     * {@link OverflowPolicy#BLOCK}.
     *
     * @return true if the value was queued; false if the timeout passed first, or if
     *     {@code DROP_NEWEST} discarded it
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    boolean send(T value, Duration timeout) throws InterruptedException;

    /**
     * Sends without ever waiting or throwing {@link ChannelFullException}. On a full channel it returns
     * false under {@code BLOCK} and {@code FAIL} (nothing is counted: the caller still holds the value),
     * discards and counts the value under {@code DROP_NEWEST} (returns false), and evicts the oldest
     * value under {@code DROP_OLDEST} (returns true).
     *
     * @return true if the value was queued
     * @throws ChannelClosedException if the channel is closed
     */
    boolean offer(T value);

    /**
     * Receives the oldest value, waiting while the channel is empty.
     *
     * @throws ChannelClosedException once the channel is closed and every queued value was received
     * @throws InterruptedException if the caller is interrupted; no value was taken
     */
    T receive() throws InterruptedException;

    /**
     * Like {@link #receive()}, waiting at most {@code timeout}.
     *
     * @return the value, or null if the timeout passed first
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    T receive(Duration timeout) throws InterruptedException;

    /**
     * Takes the oldest value if there is one, without waiting.
     *
     * @return the value, or null if the channel is empty (closed or not; see {@link #isClosed()})
     */
    T poll();

    /** Closes the channel; see the class comment. Idempotent, never blocks. */
    @Override
    void close();

    /** True once {@link #close()} was called (values may still be queued). */
    boolean isClosed();

    /** The number of queued values right now (a moment's estimate while others send and receive). */
    int size();

    /** The most values the channel holds. */
    int capacity();

    /** The channel's name, for logs, exceptions and the registry. */
    String name();

    /** What a send does when the channel is full. */
    OverflowPolicy overflowPolicy();

    /** Values accepted into the channel so far. */
    long sentCount();

    /** Values handed to receivers so far. */
    long receivedCount();

    /** Values discarded by {@link OverflowPolicy#DROP_NEWEST} or evicted by {@link OverflowPolicy#DROP_OLDEST}. */
    long droppedCount();

    /** Sends refused with {@link ChannelFullException} under {@link OverflowPolicy#FAIL}. */
    long rejectedCount();

    /**
     * Configures a {@link Channel}. Not thread-safe; {@link #build()} may be called more than once and
     * builds an independent channel each time.
     *
     * @param <T> the type of the values
     */
    final class Builder<T> {
        private static final AtomicLong UNNAMED = new AtomicLong();

        private final int capacity;
        private String name;
        private OverflowPolicy overflow = OverflowPolicy.BLOCK;
        private boolean singleConsumer;

        Builder(int capacity) {
            if (capacity <= 0) {
                throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
            }
            if (capacity > MAX_CAPACITY) {
                throw new IllegalArgumentException("capacity must be <= " + MAX_CAPACITY
                        + " (2^30, the largest power-of-two array a channel can have), was " + capacity);
            }
            this.capacity = capacity;
        }

        /** The name shown in exceptions and the registry; default {@code channel-N}. */
        public Builder<T> name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** What a send does when the channel is full; default {@link OverflowPolicy#BLOCK}. */
        public Builder<T> overflow(OverflowPolicy policy) {
            this.overflow = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Promises that at most one thread at a time receives (a shard's inbox), which lets the channel
         * use a faster multi-producer single-consumer queue. Receiving from two threads at once breaks
         * the channel. Not allowed with {@link OverflowPolicy#DROP_OLDEST}, whose senders evict, that is
         * receive.
         */
        public Builder<T> singleConsumer() {
            this.singleConsumer = true;
            return this;
        }

        /**
         * Builds the channel.
         *
         * @throws IllegalArgumentException if single-consumer was combined with {@code DROP_OLDEST}
         */
        public Channel<T> build() {
            if (singleConsumer && overflow == OverflowPolicy.DROP_OLDEST) {
                throw new IllegalArgumentException("singleConsumer cannot be combined with DROP_OLDEST "
                        + "(senders evict, so they would be a second consumer)");
            }
            String n = name != null ? name : "channel-" + UNNAMED.incrementAndGet();
            return new ArrayChannel<>(n, capacity, overflow, singleConsumer);
        }
    }
}
