package dev.warren.tasklets;

import java.time.Duration;
import java.util.Objects;

/** Timeouts in nanoseconds, checked and saturated the same way everywhere in the runtime. */
final class Durations {
    /**
     * What a longer duration counts as: about 73 years, so {@code now + d} and {@code 2 * d} cannot
     * overflow a {@code long} of nanoseconds.
     */
    static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

    private Durations() {}

    /** {@code timeout} in nanoseconds, saturated at {@link #FOREVER_NANOS}, after checking it is not negative. */
    static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, was " + timeout);
        }
        return saturatedNanos(timeout);
    }

    /** {@code d} (not negative) in nanoseconds, saturated at {@link #FOREVER_NANOS}. */
    static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(FOREVER_NANOS)) > 0 ? FOREVER_NANOS : d.toNanos();
    }
}
