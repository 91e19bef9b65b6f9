package dev.warren.tasklets.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A distribution of non-negative {@code long} values (latencies in nanoseconds, sizes in bytes, ...) with
 * precise percentiles, exposed to Prometheus as a {@code summary}: quantiles 0.5, 0.9 and 0.99 computed
 * here, which cannot be aggregated across instances (a {@link Histogram} can). Values are counted in
 * HdrHistogram-style log-linear buckets: values below 128 are counted exactly, and every power-of-two
 * range above that is split into 64 equal buckets. A reported percentile is therefore within
 * 1/128 (0.79%) relative error of the exact value of that rank, over the whole
 * {@code long} range, in a fixed 3,712 counters (about 29 KiB).
 *
 * <p><b>Threading.</b> {@link #record(long)} is lock-free and never blocks: one atomic increment on an
 * {@link AtomicLongArray} slot plus striped count and sum, and a CAS on min/max only when it moves them.
 * Any number of tasklets may record while others read. Reads ({@link #snapshot()} and the accessors built
 * on it) copy the counters without stopping writers, so a snapshot taken during recording is consistent
 * per bucket but may include a value in one statistic and not yet in another.
 *
 * <p><b>Memory consistency.</b> Every {@code record} that happened-before a {@code snapshot()} is in it.
 *
 * <p>Obtain one from {@link MetricRegistry#summary(String, String, String...)}, or {@code new Summary(...)} for
 * a private one; nothing to close.
 */
public final class Summary implements Metric {
    /** Values below this are counted exactly (one bucket per value). */
    private static final int EXACT = 128;
    /** log2 of {@link #EXACT}. */
    private static final int EXACT_BITS = 7;
    /** Buckets per power of two above {@link #EXACT}. */
    private static final int SUB = 64;

    private static final int BUCKETS = EXACT + (63 - EXACT_BITS) * SUB;

    /** The bound on the relative error of {@link #percentile(double)}, {@code 1/128}. */
    public static final double MAX_RELATIVE_ERROR = 1.0 / 128;

    private final String name;
    private final String help;
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);

    /** A histogram outside any registry (its name is only used in messages and {@link #toString()}). */
    public Summary(String name, String help) {
        this.name = name;
        this.help = help;
    }

    /**
     * Records one value.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public void record(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("summary " + name + " records values >= 0, was " + value);
        }
        // min and max first: a reader that sees this value in a bucket then also sees it in min/max.
        long m = min.get();
        while (value < m && !min.compareAndSet(m, value)) {
            m = min.get();
        }
        m = max.get();
        while (value > m && !max.compareAndSet(m, value)) {
            m = max.get();
        }
        counts.incrementAndGet(index(value));
        count.increment();
        sum.add(value);
    }

    static int index(long value) {
        if (value < EXACT) {
            return (int) value;
        }
        int e = 63 - Long.numberOfLeadingZeros(value);
        int shift = e - (EXACT_BITS - 1);
        int top = (int) (value >>> shift);
        return EXACT + (e - EXACT_BITS) * SUB + (top - SUB);
    }

    static long lowerBound(int index) {
        if (index < EXACT) {
            return index;
        }
        int j = index - EXACT;
        int shift = j / SUB + 1;
        return (long) (SUB + j % SUB) << shift;
    }

    static long width(int index) {
        return index < EXACT ? 1 : 1L << ((index - EXACT) / SUB + 1);
    }

    /** The number of values recorded. */
    public long count() {
        return count.sum();
    }

    /** The smallest value recorded, 0 if none. */
    public long min() {
        long m = min.get();
        return m == Long.MAX_VALUE ? 0 : m;
    }

    /** The largest value recorded, 0 if none. */
    public long max() {
        long m = max.get();
        return m == Long.MIN_VALUE ? 0 : m;
    }

    /** The exact arithmetic mean of the recorded values, {@code NaN} if none. */
    public double mean() {
        return snapshot().mean();
    }

    /** See {@link Snapshot#percentile(double)}. */
    public long percentile(double p) {
        return snapshot().percentile(p);
    }

    /** A copy of the current counters. */
    public Snapshot snapshot() {
        long[] copy = new long[BUCKETS];
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long c = counts.get(i);
            copy[i] = c;
            n += c;
        }
        return new Snapshot(copy, n, sum.sum(), min(), max());
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
        return "summary";
    }

    @Override
    public String toString() {
        return "Summary[" + name + ", count=" + count() + "]";
    }

    /**
     * An immutable copy of a histogram's counters at one moment. Safe to share between threads.
     */
    public static final class Snapshot {
        private final long[] counts;
        private final long count;
        private final long sum;
        private final long min;
        private final long max;

        Snapshot(long[] counts, long count, long sum, long min, long max) {
            this.counts = counts;
            this.count = count;
            this.sum = sum;
            this.min = min;
            this.max = max;
        }

        /** The number of values. */
        public long count() {
            return count;
        }

        /** The exact sum of the values. */
        public long sum() {
            return sum;
        }

        /** The smallest value, 0 if none. */
        public long min() {
            return min;
        }

        /** The largest value, 0 if none. */
        public long max() {
            return max;
        }

        /** The exact mean, {@code NaN} if there are no values. */
        public double mean() {
            return count == 0 ? Double.NaN : (double) sum / count;
        }

        /**
         * The value at percentile {@code p}: an estimate of the value of rank {@code ceil(p/100 * count)}
         * (at least 1) in sorted order, within {@link #MAX_RELATIVE_ERROR} of it and never outside
         * {@code [min, max]}. 0 if there are no values.
         *
         * @param p in {@code [0, 100]}
         * @throws IllegalArgumentException if {@code p} is outside {@code [0, 100]} or NaN
         */
        public long percentile(double p) {
            if (!(p >= 0 && p <= 100)) {
                throw new IllegalArgumentException("percentile must be in [0, 100], was " + p);
            }
            if (count == 0) {
                return 0;
            }
            long rank = Math.max(1, (long) Math.ceil(p / 100 * count));
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    long estimate = lowerBound(i) + (width(i) - 1) / 2;
                    return Math.max(min, Math.min(max, estimate));
                }
            }
            return max;
        }

        /** A JSON-ready tree: count, min, max, mean, sum, p50, p90, p99, p999. */
        public Map<String, Object> toTree() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", count);
            m.put("min", min);
            m.put("max", max);
            m.put("mean", mean());
            m.put("sum", sum);
            m.put("p50", percentile(50));
            m.put("p90", percentile(90));
            m.put("p99", percentile(99));
            m.put("p999", percentile(99.9));
            return m;
        }
    }
}
