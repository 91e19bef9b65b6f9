package dev.warren.streaming.window;

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
     * A duration as people write it: {@code 5s}, {@code 1m30s}, {@code 250ms}, {@code 1h}, {@code 2d};
     * the largest units first, zero parts left out.
     */
    static String human(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder(millis < 0 ? "-" : "");
        long m = Math.abs(millis);
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (m >= sizes[i]) {
                b.append(m / sizes[i]).append(units[i]);
                m %= sizes[i];
            }
        }
        return b.toString();
    }

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
            return "tumbling " + human(sizeMillis);
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
            return "sliding " + human(sizeMillis) + "/" + human(slideMillis);
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
            return "session gap " + human(gapMillis);
        }
    }
}
