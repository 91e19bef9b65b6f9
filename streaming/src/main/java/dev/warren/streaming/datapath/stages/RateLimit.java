package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code (ratelimit,rate=N[,burst=B][,bytes])}: a token bucket of N per second (blocks, or bytes with
 * {@code bytes}) holding at most B (default N); a block that finds too few tokens is dropped (0). It
 * never waits: put a boundary before it to absorb bursts instead of dropping.
 */
public final class RateLimit implements StageType {
    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public String info() {
        return "drops blocks beyond rate=N per second (burst=B; bytes: count bytes, not blocks)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("rate", "burst", "bytes");
        o.require("rate");
        long rate = rate(o);
        o.integer("burst", rate, 1, Long.MAX_VALUE / 2);
        o.flag("bytes");
    }

    private static long rate(StageOptions o) {
        return o.integer("rate", 0, 1, 1_000_000_000_000L);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        if (!o.has("rate")) {
            throw new IllegalArgumentException("stage 'ratelimit' needs option rate=...");
        }
        return new Bucket(
                rate(o), o.integer("burst", rate(o), 1, Long.MAX_VALUE / 2), o.flag("bytes"), System::nanoTime);
    }

    /** The bucket, with an injectable clock for tests. */
    static final class Bucket implements Stage {
        private final double perNano;
        private final double burst;
        private final boolean bytes;
        private final LongSupplier clock;
        private double tokens;
        private long last;
        private volatile long dropped;

        Bucket(long rate, long burst, boolean bytes, LongSupplier clock) {
            this.perNano = rate / 1e9;
            this.burst = burst;
            this.bytes = bytes;
            this.clock = clock;
            this.tokens = burst;
            this.last = clock.getAsLong();
        }

        @Override
        @SuppressWarnings("NonAtomicVolatileUpdate") // one tasklet at a time calls process; volatile for state()
        public int process(Block b) {
            long now = clock.getAsLong();
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            double cost = bytes ? b.length() : 1;
            if (tokens >= cost) {
                tokens -= cost;
                return 1;
            }
            dropped++;
            return 0;
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("dropped", dropped);
        }
    }
}
