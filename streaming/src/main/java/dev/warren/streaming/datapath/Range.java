package dev.warren.streaming.datapath;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classifications an edge lets through: a union of closed intervals of {@code 0..65535}. Written
 * {@code [2]}, {@code [1-3]}, {@code [1,4,7-9]} or {@code [*]} in a request; an edge without one lets
 * through {@link #DEFAULT} ({@code 1-65535}: anything but 0, which means "drop").
 *
 * <p>Immutable and thread-safe.
 */
public final class Range {
    /** The largest classification: {@code process} results are taken modulo 2^16. */
    public static final int MAX = 0xFFFF;

    /** Anything but 0: what an edge without a range lets through. */
    public static final Range DEFAULT = new Range(new int[] {1, MAX});

    /** Every classification, 0 included. */
    public static final Range ALL = new Range(new int[] {0, MAX});

    /** Sorted, merged pairs lo0, hi0, lo1, hi1, ... */
    private final int[] bounds;

    final int lo;
    final int hi;
    final boolean single;

    private Range(int[] bounds) {
        this.bounds = bounds;
        this.lo = bounds[0];
        this.hi = bounds[1];
        this.single = bounds.length == 2;
    }

    /** Exactly {@code classification}. */
    public static Range of(int classification) {
        return between(classification, classification);
    }

    /**
     * {@code lo..hi}, both included.
     *
     * @throws IllegalArgumentException if not {@code 0 <= lo <= hi <= 65535}
     */
    public static Range between(int lo, int hi) {
        check(lo);
        check(hi);
        if (lo > hi) {
            throw new IllegalArgumentException("range " + lo + "-" + hi + " is empty: " + lo + " > " + hi);
        }
        return new Range(new int[] {lo, hi});
    }

    /** The union of {@code ranges}; at least one. */
    public static Range union(List<Range> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("a range needs at least one interval");
        }
        List<int[]> pairs = new ArrayList<>();
        for (Range r : ranges) {
            for (int i = 0; i < r.bounds.length; i += 2) {
                pairs.add(new int[] {r.bounds[i], r.bounds[i + 1]});
            }
        }
        pairs.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] out = new int[pairs.size() * 2];
        int n = 0;
        for (int[] p : pairs) {
            if (n > 0 && p[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], p[1]);
            } else {
                out[n++] = p[0];
                out[n++] = p[1];
            }
        }
        return new Range(Arrays.copyOf(out, n));
    }

    private static void check(int c) {
        if (c < 0 || c > MAX) {
            throw new IllegalArgumentException("a classification must be 0.." + MAX + ", was " + c);
        }
    }

    /** Whether {@code classification} passes. */
    public boolean contains(int classification) {
        if (single) {
            return classification >= lo && classification <= hi;
        }
        for (int i = 0; i < bounds.length; i += 2) {
            if (classification < bounds[i]) {
                return false;
            }
            if (classification <= bounds[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** As written in a request, without the brackets: {@code 1-3,7}. */
    @Override
    public String toString() {
        if (this.equals(ALL)) {
            return "*";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < bounds.length; i += 2) {
            if (i > 0) {
                s.append(',');
            }
            s.append(bounds[i]);
            if (bounds[i + 1] != bounds[i]) {
                s.append('-').append(bounds[i + 1]);
            }
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Range r && Arrays.equals(bounds, r.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }
}
