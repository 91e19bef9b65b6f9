package dev.warren.tasklets.observe;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram: counts of values in fixed buckets ({@code le} upper bounds), their sum and
 * count, exposed as {@code _bucket{le="..."}}, {@code _sum} and {@code _count} series, so that
 * instances can be aggregated and {@code histogram_quantile} applies. Besides the cumulative counts it
 * keeps a <em>recent</em> view: the same buckets for each of the last few seconds, in a ring of
 * per-second slots, from which {@link #recent(int)} answers "p99 over the last 10 s" for a dashboard.
 *
 * <p>Values are recorded as {@code long}s in a recording unit (nanoseconds, bytes) and exposed in the
 * base unit Prometheus wants ({@link Buckets#unit()}: 1e-9 turns nanoseconds into seconds).
 *
 * <p><b>Threading.</b> {@link #record} is lock-free and never blocks: a binary search over the bounds,
 * then two {@link LongAdder} increments for the cumulative view (striped, so many tasklets recording at
 * once do not contend) and one for the current second's slot. Any thread may record while others read.
 * A snapshot is not atomic: a value recorded during it may be in the buckets and not yet in the sum.
 * The recent view is approximate at second boundaries: the first value of a new second clears its slot,
 * and a value recorded into that slot by another thread in the same instant may be lost from the recent
 * view (never from the cumulative one).
 *
 * <p><b>Memory consistency.</b> Every {@code record} that happened-before a {@link #snapshot()} is in it.
 *
 * <p>Obtain one from {@link MetricRegistry#histogram}, or {@code new Histogram(...)} for one of your own
 * (exposed through a {@link MetricCollector}); nothing to close.
 */
public final class Histogram implements Metric {
    /** How many seconds the recent view keeps, at most. */
    public static final int RECENT_SECONDS = 60;

    private static final long ORIGIN = System.nanoTime();

    private final String name;
    private final String help;
    private final Buckets buckets;
    /** A recorded value {@code v} is in bucket {@code i} when {@code v <= rawBounds[i]}; the last is +Inf. */
    private final long[] rawBounds;

    private final BigDecimal unitDecimal;

    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();
    private final Slot[] ring = new Slot[RECENT_SECONDS + 2];

    /**
     * A histogram outside any registry.
     *
     * @throws NullPointerException if an argument is null
     */
    public Histogram(String name, String help, Buckets buckets) {
        this.name = Objects.requireNonNull(name, "name");
        this.help = Objects.requireNonNull(help, "help");
        this.buckets = Objects.requireNonNull(buckets, "buckets");
        double[] b = buckets.bounds;
        this.rawBounds = new long[b.length];
        BigDecimal unit = new BigDecimal(Double.toString(buckets.unit));
        this.unitDecimal = unit;
        for (int i = 0; i < b.length; i++) {
            // exact decimal division: 0.00005 s is 50,000 ns, not 49,999.99...
            BigDecimal raw = new BigDecimal(Double.toString(b[i])).divide(unit, 0, RoundingMode.FLOOR);
            rawBounds[i] = raw.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : raw.longValue();
        }
        this.counts = new LongAdder[b.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Slot(counts.length);
        }
    }

    /**
     * Records one value in the recording unit (e.g. nanoseconds), reading the clock for the recent view.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public void record(long value) {
        record(value, System.nanoTime());
    }

    /**
     * Records one value; {@code nowNanos} is {@link System#nanoTime()} read by the caller (a caller that
     * timed something has just read it), so the recent view costs no clock read of its own.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public void record(long value, long nowNanos) {
        if (value < 0) {
            throw new IllegalArgumentException("histogram " + name + " records values >= 0, was " + value);
        }
        int i = bucket(value);
        counts[i].increment();
        sum.add(value);
        long second = (nowNanos - ORIGIN) / 1_000_000_000L;
        Slot s = ring[(int) Math.floorMod(second, (long) ring.length)];
        long epoch = s.second.get();
        if (epoch != second) {
            if (epoch > second || !s.second.compareAndSet(epoch, second)) {
                // a late writer with an old clock reading, or another thread is turning the slot over
                if (s.second.get() != second) {
                    return;
                }
            } else {
                for (LongAdder c : s.counts) {
                    c.reset();
                }
            }
        }
        s.counts[i].increment();
    }

    private int bucket(long value) {
        int lo = 0;
        int hi = rawBounds.length; // answer in [lo, hi]; hi == length is +Inf
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (value <= rawBounds[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The buckets: upper bounds and unit. */
    public Buckets buckets() {
        return buckets;
    }

    /** The cumulative counts now. */
    public Snapshot snapshot() {
        long[] c = new long[counts.length];
        long n = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
            n += c[i];
        }
        // in decimal, so that 301,100,001 ns reads 0.301100001 s and not 0.30110000099999997
        double seconds = new BigDecimal(sum.sum()).multiply(unitDecimal).doubleValue();
        return new Snapshot(buckets, c, n, seconds);
    }

    /**
     * The values recorded in the last {@code seconds} seconds (the current second included, so between
     * {@code seconds - 1} and {@code seconds} seconds of data); its sum is not kept and reads 0.
     *
     * @throws IllegalArgumentException if {@code seconds} is not in {@code 1..}{@value #RECENT_SECONDS}
     */
    public Snapshot recent(int seconds) {
        if (seconds < 1 || seconds > RECENT_SECONDS) {
            throw new IllegalArgumentException(
                    "recent window must be 1.." + RECENT_SECONDS + " seconds, was " + seconds);
        }
        long now = (System.nanoTime() - ORIGIN) / 1_000_000_000L;
        long[] c = new long[counts.length];
        long n = 0;
        for (Slot s : ring) {
            long epoch = s.second.get();
            if (epoch > now - seconds && epoch <= now) {
                for (int i = 0; i < c.length; i++) {
                    long v = s.counts[i].sum();
                    c[i] += v;
                    n += v;
                }
            }
        }
        return new Snapshot(buckets, c, n, 0);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public String type() {
        return "histogram";
    }

    @Override
    public String toString() {
        return "Histogram[" + name + ", count=" + snapshot().count() + "]";
    }

    private static final class Slot {
        final AtomicLong second = new AtomicLong(Long.MIN_VALUE);
        final LongAdder[] counts;

        Slot(int n) {
            counts = new LongAdder[n];
            for (int i = 0; i < n; i++) {
                counts[i] = new LongAdder();
            }
        }
    }

    /**
     * The upper bounds of a histogram's buckets, in the exposed unit, and the factor that turns a
     * recorded value into that unit. Immutable.
     */
    public static final class Buckets {
        /**
         * Latencies recorded in nanoseconds, exposed in seconds: 50 µs to 10 s in a 1-2.5-5 series, fine
         * enough at the bottom for an in-memory HTTP answer and wide enough for a slow one.
         */
        public static final Buckets LATENCY = nanosAsSeconds(
                0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                10);

        final double unit;
        final double[] bounds;

        private Buckets(double unit, double[] bounds) {
            if (!(unit > 0) || Double.isInfinite(unit)) {
                throw new IllegalArgumentException("unit must be a finite number > 0, was " + unit);
            }
            if (bounds.length == 0) {
                throw new IllegalArgumentException("a histogram needs at least one bucket bound");
            }
            for (int i = 0; i < bounds.length; i++) {
                double b = bounds[i];
                if (!Double.isFinite(b) || b < 0) {
                    throw new IllegalArgumentException(
                            "bucket bounds must be finite and >= 0 (+Inf is implied), was " + b + " at index " + i);
                }
                if (i > 0 && b <= bounds[i - 1]) {
                    throw new IllegalArgumentException(
                            "bucket bounds must increase, was " + bounds[i - 1] + " then " + b + " at index " + i);
                }
            }
            this.unit = unit;
            this.bounds = bounds.clone();
        }

        /** Values recorded in nanoseconds, exposed in seconds; {@code boundsSeconds} increasing, finite. */
        public static Buckets nanosAsSeconds(double... boundsSeconds) {
            return new Buckets(1e-9, boundsSeconds);
        }

        /** Values recorded and exposed in the same unit (bytes, items); {@code bounds} increasing, finite. */
        public static Buckets of(double... bounds) {
            return new Buckets(1, bounds);
        }

        /** The factor from the recorded unit to the exposed one. */
        public double unit() {
            return unit;
        }

        /** The finite upper bounds, in the exposed unit ({@code +Inf} is implied). */
        public double[] bounds() {
            return bounds.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Buckets b && b.unit == unit && Arrays.equals(b.bounds, bounds);
        }

        @Override
        public int hashCode() {
            return Double.hashCode(unit) * 31 + Arrays.hashCode(bounds);
        }

        @Override
        public String toString() {
            return "Buckets[unit=" + unit + ", le=" + Arrays.toString(bounds) + "]";
        }
    }

    /**
     * Bucket counts at one moment (not cumulative: {@link #bucketCount(int)} is the count of one bucket;
     * {@link #cumulative(int)} is what Prometheus's {@code _bucket} series shows). Immutable.
     */
    public static final class Snapshot {
        private final Buckets buckets;
        private final long[] counts;
        private final long count;
        private final double sum;

        Snapshot(Buckets buckets, long[] counts, long count, double sum) {
            this.buckets = buckets;
            this.counts = counts;
            this.count = count;
            this.sum = sum;
        }

        /** The number of values. */
        public long count() {
            return count;
        }

        /** The sum of the values in the exposed unit (0 for a recent view). */
        public double sum() {
            return sum;
        }

        /** How many buckets, the {@code +Inf} one included. */
        public int bucketCount() {
            return counts.length;
        }

        /** The upper bound of bucket {@code i} in the exposed unit; {@code +Inf} for the last. */
        public double upperBound(int i) {
            return i == buckets.bounds.length ? Double.POSITIVE_INFINITY : buckets.bounds[i];
        }

        /** The values in bucket {@code i} alone. */
        public long bucketCount(int i) {
            return counts[i];
        }

        /** The values {@code <= upperBound(i)}. */
        public long cumulative(int i) {
            long n = 0;
            for (int j = 0; j <= i; j++) {
                n += counts[j];
            }
            return n;
        }

        /**
         * The {@code q}-quantile estimated as Prometheus's {@code histogram_quantile} does: linear within
         * the bucket holding rank {@code q * count}; a rank in the {@code +Inf} bucket gives the highest
         * finite bound. {@code NaN} if there are no values.
         *
         * @throws IllegalArgumentException if {@code q} is not in {@code [0, 1]}
         */
        public double quantile(double q) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("quantile must be in [0, 1], was " + q);
            }
            if (count == 0) {
                return Double.NaN;
            }
            double rank = q * count;
            long seen = 0;
            double[] b = buckets.bounds;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0 && seen + counts[i] >= rank) {
                    if (i == b.length) {
                        return b[b.length - 1];
                    }
                    double lower = i == 0 ? 0 : b[i - 1];
                    return lower + (b[i] - lower) * ((rank - seen) / counts[i]);
                }
                seen += counts[i];
            }
            return b[b.length - 1];
        }

        /** A JSON-ready tree: count, sum, p50, p90, p99 (null when empty). */
        public Map<String, Object> toTree() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("sum", sum);
            m.put("p50", quantile(0.5));
            m.put("p90", quantile(0.9));
            m.put("p99", quantile(0.99));
            return m;
        }
    }
}
