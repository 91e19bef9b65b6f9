package dev.warren.streaming;

import dev.warren.streaming.window.Aggregator;
import java.util.ArrayList;

/**
 * Session windows: per key, the open sessions sorted by start (disjoint, so also by end; usually one).
 * An event opens {@code [ts, ts + gap)} and merges it with every open session it overlaps.
 */
final class SessionWindows extends WindowLogic {
    private final long gap;

    static final class Sess {
        long start;
        long end;
        Object acc;

        Sess(long start, long end, Object acc) {
            this.start = start;
            this.end = end;
            this.acc = acc;
        }
    }

    SessionWindows(Aggregator<Object, Object, Object> agg, long gap) {
        super(agg);
        this.gap = gap;
    }

    @SuppressWarnings({"unchecked", "NonApiType"}) // ArrayList's random access is what the merge loop relies on
    private static ArrayList<Sess> list(KeyEntry ke) {
        return (ArrayList<Sess>) ke.win;
    }

    @Override
    boolean add(KeyEntry ke, Object event, long ts, long closeLimit) {
        long start = ts;
        long end = Rec.add(ts, gap);
        ArrayList<Sess> list = list(ke);
        if (list == null) {
            ke.win = list = new ArrayList<>(2);
        }
        Sess merged = null;
        int insertAt = list.size();
        for (int i = 0; i < list.size(); i++) {
            Sess s = list.get(i);
            if (s.start < end && start < s.end) {
                if (merged == null) {
                    merged = s;
                    s.start = Math.min(s.start, start);
                    s.end = Math.max(s.end, end);
                } else {
                    merged.acc = agg.merge(merged.acc, s.acc);
                    merged.end = Math.max(merged.end, s.end);
                    list.remove(i--);
                }
            } else if (s.start >= end && insertAt == list.size()) {
                insertAt = i;
            }
        }
        if (merged == null) {
            if (end <= closeLimit) {
                return false;
            }
            list.add(Math.min(insertAt, list.size()), new Sess(start, end, agg.add(agg.create(), event)));
        } else {
            merged.acc = agg.add(merged.acc, event);
        }
        return true;
    }

    @Override
    void fire(KeyEntry ke, long closeLimit, Shard shard) {
        ArrayList<Sess> list = list(ke);
        if (list == null) {
            return;
        }
        while (!list.isEmpty() && list.get(0).end <= closeLimit) {
            Sess s = list.remove(0);
            shard.emitWindow(ke, s.start, s.end, agg.result(s.acc));
        }
    }

    /** {@code "ws1 GAP\n"}, then a line {@code "START END ACC"} per open session, in order. */
    @Override
    String snapshot(KeyEntry ke, dev.warren.streaming.window.AccumulatorCodec<Object> codec) {
        ArrayList<Sess> list = list(ke);
        if (list == null || list.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder(32 + 40 * list.size());
        sb.append("ws1 ").append(gap);
        for (Sess x : list) {
            String text = codec.encode(x.acc);
            if (text.indexOf('\n') >= 0) {
                throw new IllegalStateException("the accumulator codec wrote a line break: '" + text + "'");
            }
            sb.append('\n')
                    .append(x.start)
                    .append(' ')
                    .append(x.end)
                    .append(' ')
                    .append(text);
        }
        return sb.toString();
    }

    @Override
    long lastEnd(KeyEntry ke) {
        ArrayList<Sess> list = list(ke);
        return list == null || list.isEmpty() ? Long.MIN_VALUE : list.get(list.size() - 1).end;
    }

    @Override
    void restore(
            KeyEntry ke, String snapshot, dev.warren.streaming.window.AccumulatorCodec<Object> codec, long closeLimit) {
        int nl = snapshot.indexOf('\n');
        String head = nl < 0 ? snapshot : snapshot.substring(0, nl);
        if (!head.equals("ws1 " + gap)) {
            throw new IllegalArgumentException("not a snapshot of sessions with a " + gap + " ms gap: '"
                    + (head.length() > 64 ? head.substring(0, 64) + "..." : head) + "'");
        }
        ArrayList<Sess> read = new ArrayList<>();
        int at = nl;
        while (at >= 0) {
            int next = snapshot.indexOf('\n', at + 1);
            String line = next < 0 ? snapshot.substring(at + 1) : snapshot.substring(at + 1, next);
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b < 0) {
                throw new IllegalArgumentException("not a session line: '" + line + "'");
            }
            long start;
            long end;
            try {
                start = Long.parseLong(line.substring(0, a));
                end = Long.parseLong(line.substring(a + 1, b));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a session line: '" + line + "'", e);
            }
            if (end <= start || (!read.isEmpty() && start < read.get(read.size() - 1).end)) {
                throw new IllegalArgumentException("sessions out of order or empty: '" + line + "'");
            }
            Object acc = codec.decode(line.substring(b + 1));
            if (end > closeLimit) {
                read.add(new Sess(start, end, acc));
            }
            at = next;
        }
        if (read.isEmpty()) {
            return;
        }
        ArrayList<Sess> list = list(ke);
        if (list != null && !list.isEmpty()) {
            throw new IllegalStateException("a restore into a key that has sessions already");
        }
        ke.win = read;
    }

    @Override
    long nextEnd(KeyEntry ke) {
        ArrayList<Sess> list = list(ke);
        return list == null || list.isEmpty() ? KeyEntry.NONE : list.get(0).end;
    }

    @Override
    boolean isEmpty(KeyEntry ke) {
        ArrayList<Sess> list = list(ke);
        return list == null || list.isEmpty();
    }
}
