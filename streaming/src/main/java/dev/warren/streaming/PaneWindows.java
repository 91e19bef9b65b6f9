package dev.warren.streaming;

import dev.warren.streaming.window.Aggregator;

/**
 * Tumbling and sliding windows over panes. A pane is {@code gcd(size, slide)} long; an event updates
 * exactly one pane's accumulator (O(1) whatever size/slide is), and a window's emission merges the
 * {@code size / pane} panes it covers. Per key, the live panes sit in a ring indexed by pane number;
 * a pane is forgotten once the last window containing it was emitted.
 */
final class PaneWindows extends WindowLogic {
    private final long size;
    private final long slide;
    private final long pane;
    private final int initialCapacity;

    /** A key's panes: slots {@code [lo, hi)} of the ring (by pane number mod capacity); others are null. */
    static final class Ring {
        Object[] accs;
        int mask;
        long lo;
        long hi;
        long nextEnd = KeyEntry.NONE;

        Ring(int capacity) {
            accs = new Object[capacity];
            mask = capacity - 1;
        }
    }

    PaneWindows(Aggregator<Object, Object, Object> agg, long size, long slide) {
        super(agg);
        this.size = size;
        this.slide = slide;
        this.pane = gcd(size, slide);
        long panes = size / pane + 1;
        this.initialCapacity = (int) Math.min(1 << 30, Long.highestOneBit(Math.max(2, panes - 1) * 2));
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** The end of the first window that contains pane {@code p}. */
    private long firstEnd(long p) {
        return Math.ceilDiv(p * pane + pane - size, slide) * slide + size;
    }

    @Override
    boolean add(KeyEntry ke, Object event, long ts, long closeLimit) {
        long p = Math.floorDiv(ts, pane);
        long lastEnd = Math.floorDiv(p * pane, slide) * slide + size;
        if (lastEnd <= closeLimit) {
            return false;
        }
        Ring r = slot(ke, p, closeLimit);
        int i = (int) (p & r.mask);
        Object acc = r.accs[i];
        r.accs[i] = agg.add(acc == null ? agg.create() : acc, event);
        return true;
    }

    /**
     * The key's ring with pane {@code p} in its live range (grown if needed) and the next window to close
     * moved down to the first one containing {@code p} that is still open.
     */
    private Ring slot(KeyEntry ke, long p, long closeLimit) {
        Ring r = (Ring) ke.win;
        if (r == null) {
            ke.win = r = new Ring(initialCapacity);
        }
        long first = firstEnd(p);
        if (first <= closeLimit) {
            first = (Math.floorDiv(closeLimit - size, slide) + 1) * slide + size;
        }
        if (first < r.nextEnd) {
            r.nextEnd = first;
        }
        if (r.lo == r.hi) {
            r.lo = p;
            r.hi = p + 1;
        } else {
            long lo = Math.min(r.lo, p);
            long hi = Math.max(r.hi, p + 1);
            if (hi - lo > r.accs.length) {
                grow(r, hi - lo);
            }
            r.lo = lo;
            r.hi = hi;
        }
        return r;
    }

    private static void grow(Ring r, long span) {
        if (span > (1 << 30)) {
            throw new IllegalStateException("a key spans more than 2^30 panes: " + span);
        }
        int cap = r.accs.length;
        while (cap < span) {
            cap <<= 1;
        }
        Object[] next = new Object[cap];
        int mask = cap - 1;
        for (long q = r.lo; q < r.hi; q++) {
            next[(int) (q & mask)] = r.accs[(int) (q & r.mask)];
        }
        r.accs = next;
        r.mask = mask;
    }

    @Override
    void fire(KeyEntry ke, long closeLimit, Shard shard) {
        Ring r = (Ring) ke.win;
        if (r == null) {
            return;
        }
        while (r.nextEnd != KeyEntry.NONE && r.nextEnd <= closeLimit) {
            long end = r.nextEnd;
            long start = end - size;
            long from = Math.max(r.lo, Math.floorDiv(start, pane));
            long to = Math.min(r.hi, Math.floorDiv(end, pane));
            Object acc = null;
            for (long q = from; q < to; q++) {
                Object a = r.accs[(int) (q & r.mask)];
                if (a != null) {
                    acc = agg.merge(acc == null ? agg.create() : acc, a);
                }
            }
            if (acc != null) {
                shard.emitWindow(ke, start, end, agg.result(acc));
            }
            long keepFrom = Math.floorDiv(start + slide, pane);
            while (r.lo < r.hi && (r.lo < keepFrom || r.accs[(int) (r.lo & r.mask)] == null)) {
                r.accs[(int) (r.lo & r.mask)] = null;
                r.lo++;
            }
            if (r.lo == r.hi) {
                r.nextEnd = KeyEntry.NONE;
                return;
            }
            r.nextEnd = Math.max(end + slide, firstEnd(r.lo));
        }
    }

    /**
     * {@code "wp1 PANE\n"} (the pane length in ms), then a line {@code "N ACC"} per live pane: its number
     * (start / PANE) and its accumulator as the codec writes it.
     */
    @Override
    String snapshot(KeyEntry ke, dev.warren.streaming.window.AccumulatorCodec<Object> codec) {
        Ring r = (Ring) ke.win;
        if (r == null || r.lo == r.hi) {
            return null;
        }
        StringBuilder sb = new StringBuilder(32 + 24 * (int) (r.hi - r.lo));
        sb.append("wp1 ").append(pane);
        for (long q = r.lo; q < r.hi; q++) {
            Object a = r.accs[(int) (q & r.mask)];
            if (a != null) {
                String text = codec.encode(a);
                if (text.indexOf('\n') >= 0) {
                    throw new IllegalStateException("the accumulator codec wrote a line break: '" + text + "'");
                }
                sb.append('\n').append(q).append(' ').append(text);
            }
        }
        return sb.toString();
    }

    @Override
    long lastEnd(KeyEntry ke) {
        Ring r = (Ring) ke.win;
        if (r == null || r.lo == r.hi) {
            return Long.MIN_VALUE;
        }
        return Math.floorDiv((r.hi - 1) * pane, slide) * slide + size;
    }

    @Override
    void restore(
            KeyEntry ke, String snapshot, dev.warren.streaming.window.AccumulatorCodec<Object> codec, long closeLimit) {
        int nl = snapshot.indexOf('\n');
        String head = nl < 0 ? snapshot : snapshot.substring(0, nl);
        if (!head.equals("wp1 " + pane)) {
            throw new IllegalArgumentException("not a snapshot of windows with " + pane + " ms panes: '"
                    + (head.length() > 64 ? head.substring(0, 64) + "..." : head) + "'");
        }
        int at = nl;
        while (at >= 0) {
            int next = snapshot.indexOf('\n', at + 1);
            String line = next < 0 ? snapshot.substring(at + 1) : snapshot.substring(at + 1, next);
            int sp = line.indexOf(' ');
            long p;
            try {
                p = Long.parseLong(sp < 0 ? line : line.substring(0, sp));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a pane line: '" + line + "'", e);
            }
            if (sp < 0) {
                throw new IllegalArgumentException("a pane line without its accumulator: '" + line + "'");
            }
            Object acc = codec.decode(line.substring(sp + 1));
            long lastEnd = Math.floorDiv(p * pane, slide) * slide + size;
            if (lastEnd > closeLimit) {
                putPane(ke, p, acc, closeLimit);
            }
            at = next;
        }
    }

    /** Merges {@code acc} into pane {@code p} of the key, as {@link #add} does an event. */
    private void putPane(KeyEntry ke, long p, Object acc, long closeLimit) {
        Ring r = slot(ke, p, closeLimit);
        int i = (int) (p & r.mask);
        Object have = r.accs[i];
        r.accs[i] = have == null ? acc : agg.merge(have, acc);
    }

    @Override
    long nextEnd(KeyEntry ke) {
        Ring r = (Ring) ke.win;
        return r == null ? KeyEntry.NONE : r.nextEnd;
    }

    @Override
    boolean isEmpty(KeyEntry ke) {
        Ring r = (Ring) ke.win;
        return r == null || r.lo == r.hi;
    }
}
