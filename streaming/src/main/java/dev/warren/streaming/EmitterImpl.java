package dev.warren.streaming;

import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.ChannelFullException;
import java.util.concurrent.atomic.LongAdder;

/** One source's way into a job: parse, then {@link JobRuntime#route}, under its backpressure policy. */
final class EmitterImpl<T> implements Emitter<T> {
    private final JobRuntime<?> job;
    private final String name;
    private final Backpressure backpressure;
    private final Parser<? super T, ?> parser;
    private final LongAdder emitted = new LongAdder();
    private final LongAdder parseErrors = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private volatile dev.warren.streaming.Source<?> source;

    /** {@code parser} null: the records are events already. */
    EmitterImpl(JobRuntime<?> job, String name, Backpressure backpressure, Parser<? super T, ?> parser) {
        this.job = job;
        this.name = name;
        this.backpressure = backpressure;
        this.parser = parser;
    }

    @Override
    public void emit(T raw) throws InterruptedException {
        if (raw == null) {
            throw new NullPointerException("raw");
        }
        Object event;
        if (parser == null) {
            event = raw;
        } else {
            try {
                event = parser.parse(raw);
            } catch (Exception ex) {
                reject(raw, describe(ex));
                return;
            }
            if (event == null) {
                reject(raw, "parser returned null");
                return;
            }
        }
        job.route(event, raw, this);
    }

    @Override
    public void emitAll(java.util.List<? extends T> batch) throws InterruptedException {
        emitAll(batch, 0, Long.MIN_VALUE);
    }

    /** {@link #emitAll(java.util.List)} into lane {@code lane} (above 0) with its watermark {@code laneWm}. */
    void emitAll(java.util.List<? extends T> batch, int lane, long laneWm) throws InterruptedException {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        Rec.Event[][] byShard = new Rec.Event[job.shardCount()][];
        int[] counts = new int[byShard.length];
        for (int i = 0; i < n; i++) {
            T raw = batch.get(i);
            if (raw == null) {
                throw new NullPointerException("batch[" + i + "]");
            }
            Object event;
            if (parser == null) {
                event = raw;
            } else {
                try {
                    event = parser.parse(raw);
                } catch (Exception ex) {
                    reject(raw, describe(ex));
                    continue;
                }
                if (event == null) {
                    reject(raw, "parser returned null");
                    continue;
                }
            }
            Rec.Event r = job.toRecord(event, raw, this, lane, laneWm);
            if (r == null) {
                continue;
            }
            int s = job.shardOf(r.key());
            Rec.Event[] a = byShard[s];
            if (a == null) {
                byShard[s] = a = new Rec.Event[Math.min(n, 64)];
            } else if (counts[s] == a.length) {
                byShard[s] = a = java.util.Arrays.copyOf(a, Math.min(n, a.length * 2));
            }
            a[counts[s]++] = r;
        }
        for (int s = 0; s < byShard.length; s++) {
            int c = counts[s];
            if (c > 0) {
                Rec.Event[] a = byShard[s];
                deliverMessage(job.inbox(s), new Rec.Batch(c == a.length ? a : java.util.Arrays.copyOf(a, c)), c);
            }
        }
    }

    static String describe(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }

    /** Delivers a routed event under this emitter's policy. */
    void deliver(Channel<Object> inbox, Rec.Event r) throws InterruptedException {
        deliverMessage(inbox, r, 1);
    }

    private void deliverMessage(Channel<Object> inbox, Object r, int events) throws InterruptedException {
        try {
            switch (backpressure) {
                case BLOCK -> inbox.send(r);
                case DROP_NEWEST -> {
                    if (!inbox.offer(r)) {
                        dropped.add(events);
                        return;
                    }
                }
                case FAIL -> {
                    if (!inbox.offer(r)) {
                        dropped.add(events);
                        throw new ChannelFullException(inbox.name(), inbox.capacity());
                    }
                }
            }
        } catch (ChannelClosedException closed) {
            throw new IllegalStateException("job '" + job.name() + "' is shut down", closed);
        }
        emitted.add(events);
    }

    @Override
    public void reject(Object raw, String reason) {
        parseErrors.increment();
        job.parseError(new ParseError(name, raw, reason));
    }

    /** The source this emitter belongs to, whose upstream drops it reports. */
    void source(dev.warren.streaming.Source<?> s) {
        this.source = s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public SourceStats stats() {
        dev.warren.streaming.Source<?> s = source;
        long upstream;
        try {
            upstream = s == null ? 0 : s.upstreamDrops();
        } catch (RuntimeException ex) {
            upstream = -1; // a source's own counter failing must not break the job's statistics
        }
        return new SourceStats(name, backpressure, emitted.sum(), parseErrors.sum(), dropped.sum(), upstream);
    }

    @Override
    public String toString() {
        return "Emitter[" + job.name() + "/" + name + ", " + backpressure + "]";
    }
}
