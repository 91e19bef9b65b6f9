package dev.warren.streaming.window;

import java.time.Duration;

/**
 * The shape of the windows a job groups each key's events into: tumbling, sliding (hopping) or session.
 * Built by {@link Windows}; immutable and shareable.
 *
 * <p>Windows are half-open, {@code [start, end)} in milliseconds of the job's time (processing time or
 * event time). Tumbling and sliding windows are aligned to the epoch: a sliding window starts at every
 * multiple of {@link Sliding#slideMillis()}. A session window of a key starts at its first event and
 * ends {@link Session#gapMillis()} after its last one; two events less than the gap apart are in the same
 * session, so an event arriving between two sessions may merge them.
 */
public sealed interface WindowSpec {

    /**
     * Fixed-size, non-overlapping windows; a sliding window whose slide equals its size.
     *
     * @param sizeMillis the window length, {@code > 0}
     */
    record Tumbling(long sizeMillis) implements WindowSpec {
        /** Validates the size. */
        public Tumbling {
            Windows.positive("size", sizeMillis);
        }

        @Override
        public String toString() {
            return "tumbling(" + Duration.ofMillis(sizeMillis) + ")";
        }
    }

    /**
     * Overlapping windows of {@code sizeMillis} starting every {@code slideMillis} (trafilo's
     * {@code window_size_ms} and {@code slide_interval_ms}); each event is in {@code ceil(size / slide)}
     * windows.
     *
     * @param sizeMillis the window length, {@code > 0}
     * @param slideMillis the distance between window starts, {@code > 0} and {@code <= sizeMillis}
     */
    record Sliding(long sizeMillis, long slideMillis) implements WindowSpec {
        /** Validates size and slide. */
        public Sliding {
            Windows.positive("size", sizeMillis);
            Windows.positive("slide", slideMillis);
            if (slideMillis > sizeMillis) {
                throw new IllegalArgumentException(
                        "slide must be <= size, was slide " + slideMillis + " ms > size " + sizeMillis + " ms");
            }
        }

        @Override
        public String toString() {
            return "sliding(" + Duration.ofMillis(sizeMillis) + ", " + Duration.ofMillis(slideMillis) + ")";
        }
    }

    /**
     * Per-key sessions closed by {@code gapMillis} of inactivity.
     *
     * @param gapMillis the inactivity gap, {@code > 0}
     */
    record Session(long gapMillis) implements WindowSpec {
        /** Validates the gap. */
        public Session {
            Windows.positive("gap", gapMillis);
        }

        @Override
        public String toString() {
            return "session(" + Duration.ofMillis(gapMillis) + ")";
        }
    }
}
