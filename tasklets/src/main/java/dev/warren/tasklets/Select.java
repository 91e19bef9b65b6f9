package dev.warren.tasklets;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Receives from whichever of several channels has a value first.
 *
 * <pre>{@code
 * for (;;) {
 *     Selected<Event> s = Select.receive(clicks, keys);     // blocks until one of them has a value
 *     if (s.channel() == clicks) onClick(s.value()); else onKey(s.value());
 * }                                                         // ChannelClosedException: all closed and drained
 * }</pre>
 *
 * <p><b>Threading.</b> Any tasklet may select, also while others receive from the same channels
 * directly. {@code receive} blocks until a value is available; {@link #poll} never blocks. A parked
 * select shows its channels in {@link Tasklets#snapshot()}. A select is a receive: do not select from a
 * {@linkplain Channel.Builder#singleConsumer() single-consumer} channel that another thread receives from.
 *
 * <p><b>Fairness.</b> Each call starts looking at a random one of the channels, so a busy channel
 * listed first does not starve the others.
 *
 * <p><b>Closing.</b> Closed channels take part until they are drained. When every channel is closed
 * and drained, {@code receive} throws {@link ChannelClosedException}; {@code poll} returns null.
 *
 * <p><b>Memory consistency.</b> As for {@link Channel}: actions before a send happen-before actions
 * after the select that receives that value.
 */
public final class Select {
    private Select() {}

    /**
     * Waits until one of {@code channels} has a value and takes it.
     *
     * @throws ChannelClosedException when every channel is closed and drained
     * @throws InterruptedException if the caller is interrupted; no value was taken
     * @throws IllegalArgumentException if no channel is given
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, as Arrays.asList does
    public static <T> Selected<T> receive(Channel<? extends T>... channels) throws InterruptedException {
        return select(check(channels), false, 0L);
    }

    /** Like {@link #receive(Channel[])} for a list of channels. */
    public static <T> Selected<T> receive(List<? extends Channel<? extends T>> channels) throws InterruptedException {
        return select(check(channels), false, 0L);
    }

    /**
     * Like {@link #receive(Channel[])}, waiting at most {@code timeout}.
     *
     * @return what was received, or null if the timeout passed first
     * @throws IllegalArgumentException if {@code timeout} is negative or no channel is given
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, as Arrays.asList does
    public static <T> Selected<T> receive(Duration timeout, Channel<? extends T>... channels)
            throws InterruptedException {
        long nanos = Durations.timeoutNanos(timeout);
        return select(check(channels), true, System.nanoTime() + nanos);
    }

    /** Like {@link #receive(Duration, Channel[])} for a list of channels. */
    public static <T> Selected<T> receive(Duration timeout, List<? extends Channel<? extends T>> channels)
            throws InterruptedException {
        long nanos = Durations.timeoutNanos(timeout);
        return select(check(channels), true, System.nanoTime() + nanos);
    }

    /**
     * Takes a value from one of {@code channels} if any has one, without waiting.
     *
     * @return what was received, or null if all channels are empty
     */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only read, as Arrays.asList does
    public static <T> Selected<T> poll(Channel<? extends T>... channels) {
        ArrayChannel<?>[] cs = check(channels);
        return scan(cs, ThreadLocalRandom.current().nextInt(cs.length), new boolean[1]);
    }

    /** Takes {@code Object[]} so that the generic varargs arrays never escape as what they claim to be. */
    private static ArrayChannel<?>[] check(Object[] channels) {
        Objects.requireNonNull(channels, "channels");
        if (channels.length == 0) {
            throw new IllegalArgumentException("select needs at least one channel, was 0");
        }
        ArrayChannel<?>[] cs = new ArrayChannel<?>[channels.length];
        for (int i = 0; i < channels.length; i++) {
            cs[i] = (ArrayChannel<?>) Objects.requireNonNull(channels[i], "channels[" + i + "]");
        }
        return cs;
    }

    private static ArrayChannel<?>[] check(List<?> channels) {
        Objects.requireNonNull(channels, "channels");
        return check(channels.toArray());
    }

    /**
     * One pass over the channels from {@code start}; sets {@code allClosed[0]} to whether every channel
     * is closed and drained when nothing was found.
     */
    @SuppressWarnings("unchecked") // the public signatures typed every channel as a Channel<? extends T>
    private static <T> Selected<T> scan(ArrayChannel<?>[] cs, int start, boolean[] allClosed) {
        int n = cs.length;
        boolean closed = true;
        for (int i = 0, k = start; i < n; i++, k = k + 1 == n ? 0 : k + 1) {
            ArrayChannel<?> c = cs[k];
            Object v = c.poll();
            if (v != null) {
                return new Selected<>((Channel<? extends T>) c, (T) v);
            }
            closed = closed && c.isClosedAndDrained();
        }
        allClosed[0] = closed;
        return null;
    }

    private static <T> Selected<T> select(ArrayChannel<?>[] cs, boolean timed, long deadline)
            throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        int start = ThreadLocalRandom.current().nextInt(cs.length);
        boolean[] allClosed = new boolean[1];
        for (int i = 0; ArrayChannel.backOff(i); i++) {
            Selected<T> s = scan(cs, start, allClosed);
            if (s != null) {
                Fairness.checkpoint(); // a select that never has to wait must still give its carrier back
                return s;
            }
            if (allClosed[0]) {
                throw allClosed(cs);
            }
        }
        Object previousHint = Tasklets.blockingOn(new Hint(cs));
        ArrayChannel<?> wokenBy = null; // a channel whose wakeup we hold and have not used yet
        try {
            for (; ; ) {
                Selected<T> s = scan(cs, start, allClosed);
                if (s != null) {
                    return s;
                }
                if (allClosed[0]) {
                    throw allClosed(cs);
                }
                if (timed && deadline - System.nanoTime() <= 0L) {
                    return null;
                }
                wokenBy = null;
                Waiter w = new Waiter(Thread.currentThread());
                for (ArrayChannel<?> c : cs) {
                    c.addReceiver(w);
                }
                s = scan(cs, start, allClosed);
                if (s != null || allClosed[0]) {
                    w.tryCancel();
                    wokenBy = (ArrayChannel<?>) w.wokenBy();
                    removeEverywhere(w, cs);
                    if (s != null) {
                        return s;
                    }
                    throw allClosed(cs);
                }
                int outcome = w.await(cs, timed, deadline);
                wokenBy = (ArrayChannel<?>) w.wokenBy();
                // The waker unlinked the node from its own queue only; the other channels still hold it.
                removeEverywhere(w, cs);
                if (outcome == Waiter.INTERRUPTED) {
                    throw new InterruptedException();
                }
                if (wokenBy == null) {
                    return null; // timed out
                }
                start = start + 1 == cs.length ? 0 : start + 1;
            }
        } finally {
            Tasklets.unblocked(previousHint);
            if (wokenBy != null) {
                wokenBy.handOnReceive();
            }
        }
    }

    private static void removeEverywhere(Waiter w, ArrayChannel<?>[] cs) {
        for (ArrayChannel<?> c : cs) {
            c.removeReceiver(w);
        }
    }

    private static ChannelClosedException allClosed(ArrayChannel<?>[] cs) {
        StringJoiner names = new StringJoiner(", ");
        for (ArrayChannel<?> c : cs) {
            names.add(c.name());
        }
        String joined = names.toString();
        return new ChannelClosedException("all selected channels are closed: " + joined, joined);
    }

    /** What the registry shows for a tasklet parked in a select. */
    private static final class Hint {
        private final ArrayChannel<?>[] channels;

        Hint(ArrayChannel<?>[] channels) {
            this.channels = channels;
        }

        @Override
        public String toString() {
            StringJoiner j = new StringJoiner(", ", "select on ", "");
            for (ArrayChannel<?> c : channels) {
                j.add(c.toString());
            }
            return j.toString();
        }
    }
}
