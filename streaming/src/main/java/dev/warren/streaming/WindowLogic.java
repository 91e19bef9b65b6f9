package dev.warren.streaming;

import dev.warren.streaming.window.Aggregator;
import dev.warren.streaming.window.WindowSpec;

/**
 * How one window kind keeps a key's open windows: called only by the key's shard. Times are in the job's
 * milliseconds; {@code closeLimit} is the watermark minus the grace period: every window whose end is at
 * or before it is closed.
 */
abstract class WindowLogic {
    final Aggregator<Object, Object, Object> agg;

    WindowLogic(Aggregator<Object, Object, Object> agg) {
        this.agg = agg;
    }

    @SuppressWarnings("unchecked")
    static WindowLogic of(WindowSpec spec, Aggregator<?, ?, ?> agg) {
        Aggregator<Object, Object, Object> a = (Aggregator<Object, Object, Object>) agg;
        return switch (spec) {
            case WindowSpec.Tumbling t -> new PaneWindows(a, t.sizeMillis(), t.sizeMillis());
            case WindowSpec.Sliding s -> new PaneWindows(a, s.sizeMillis(), s.slideMillis());
            case WindowSpec.Session s -> new SessionWindows(a, s.gapMillis());
        };
    }

    /** Adds the event to the key's windows; false if every window it belongs to is closed (late). */
    abstract boolean add(KeyEntry ke, Object event, long ts, long closeLimit);

    /** Emits (through {@code shard}) and forgets every window of the key that ends at or before {@code closeLimit}. */
    abstract void fire(KeyEntry ke, long closeLimit, Shard shard);

    /** The end of the key's earliest open window, or {@link KeyEntry#NONE}. */
    abstract long nextEnd(KeyEntry ke);

    /** True if the key has no open window. */
    abstract boolean isEmpty(KeyEntry ke);

    /** The key's open windows as text for a changelog (see {@link #restore}), or null if it has none. */
    String snapshot(KeyEntry ke, dev.warren.streaming.window.AccumulatorCodec<Object> codec) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no changelog");
    }

    /** The end of the key's last open window, or {@link Long#MIN_VALUE}. */
    long lastEnd(KeyEntry ke) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no changelog");
    }

    /**
     * Merges the windows of {@code snapshot} into the key's; windows ending at or before {@code closeLimit}
     * are not reopened.
     *
     * @throws IllegalArgumentException if the text is not a snapshot of these windows
     */
    void restore(
            KeyEntry ke, String snapshot, dev.warren.streaming.window.AccumulatorCodec<Object> codec, long closeLimit) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no changelog");
    }
}
