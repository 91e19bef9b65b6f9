package dev.warren.streaming;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link TimeSource} that moves only when told, for deterministic tests of processing-time jobs.
 * Advancing it wakes the shards of the jobs using it, which then close the windows that became due.
 *
 * <p><b>Threading.</b> Any thread may read and advance it. {@link #advance} may block briefly while a
 * shard's inbox is full (the wake-up goes through the inbox, behind the events already emitted, so those
 * are processed at their own time first).
 */
public final class ManualTimeSource implements TimeSource {
    private final AtomicLong now;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    ManualTimeSource(long startMillis) {
        this.now = new AtomicLong(startMillis);
    }

    @Override
    public long nowMillis() {
        return now.get();
    }

    /**
     * Moves the clock forward by {@code d}.
     *
     * @throws IllegalArgumentException if {@code d} is negative
     */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward, was " + d);
        }
        now.addAndGet(d.toMillis());
        listeners.forEach(Runnable::run);
    }

    /**
     * Sets the clock to {@code millis}.
     *
     * @throws IllegalArgumentException if that is earlier than now
     */
    public void set(long millis) {
        long prev = now.getAndAccumulate(millis, Math::max);
        if (millis < prev) {
            throw new IllegalArgumentException("a clock only moves forward: " + millis + " < " + prev);
        }
        listeners.forEach(Runnable::run);
    }

    void addListener(Runnable r) {
        listeners.add(r);
    }

    void removeListener(Runnable r) {
        listeners.remove(r);
    }

    @Override
    public String toString() {
        return "ManualTimeSource[" + now.get() + "]";
    }
}
