package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import java.util.function.LongSupplier;

/** The {@code ratelimit} bucket with a manual clock, for tests outside its package. */
public final class RateLimitProbe {
    private final RateLimit.Bucket bucket;

    /** A bucket of {@code rate} blocks per second holding {@code burst}, on {@code clock} (nanoseconds). */
    public RateLimitProbe(long rate, long burst, LongSupplier clock) {
        this.bucket = new RateLimit.Bucket(rate, burst, false, clock);
    }

    /** The bucket's classification of {@code b}. */
    public int process(Block b) {
        return bucket.process(b);
    }
}
