package dev.warren.streaming.window;

import java.time.Duration;
import java.util.Objects;

/**
 * Static factories for {@link WindowSpec}s.
 *
 * <pre>{@code
 * Windows.tumbling(Duration.ofSeconds(10));
 * Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(1));   // 5 s windows every second
 * Windows.session(Duration.ofSeconds(2));                          // closes after 2 s without events
 * }</pre>
 *
 * <p>Durations are truncated to whole milliseconds and must be at least one millisecond. Stateless and
 * thread-safe.
 */
public final class Windows {
    private Windows() {}

    /** Non-overlapping windows of {@code size}. */
    public static WindowSpec tumbling(Duration size) {
        return new WindowSpec.Tumbling(millis("size", size));
    }

    /** Windows of {@code size} starting every {@code slide} ({@code slide <= size}). */
    public static WindowSpec sliding(Duration size, Duration slide) {
        long s = millis("size", size);
        long d = millis("slide", slide);
        return s == d ? new WindowSpec.Tumbling(s) : new WindowSpec.Sliding(s, d);
    }

    /** Per-key sessions that close after {@code gap} without events. */
    public static WindowSpec session(Duration gap) {
        return new WindowSpec.Session(millis("gap", gap));
    }

    private static long millis(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new IllegalArgumentException(what + " must be >= 1 ms, was " + d);
        }
        return d.toMillis();
    }

    static void positive(String what, long ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException(what + " must be > 0 ms, was " + ms);
        }
    }
}
