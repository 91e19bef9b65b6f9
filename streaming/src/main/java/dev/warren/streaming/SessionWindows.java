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
