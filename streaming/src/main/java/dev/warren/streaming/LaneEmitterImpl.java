package dev.warren.streaming;

import java.util.Arrays;

/** {@link LaneEmitter}: an {@link EmitterImpl} for the events, and each lane's watermark; one owner thread. */
final class LaneEmitterImpl<E> implements LaneEmitter<E> {
    private final JobRuntime<E> job;
    private final EmitterImpl<E> events;
    /** Per lane: its watermark, and the one the shards were last told. */
    private long[] wm = new long[0];

    private long[] told = new long[0];

    LaneEmitterImpl(JobRuntime<E> job, EmitterImpl<E> events) {
        this.job = job;
        this.events = events;
    }

    /** Refuses a lane outside [1, MAX_LANE] ([0, MAX_LANE] with {@code zeroToo}), naming it. */
    static void checkLane(int lane, boolean zeroToo) {
        if (lane < (zeroToo ? 0 : 1) || lane > MAX_LANE) {
            throw new IllegalArgumentException(
                    "lane must be in [" + (zeroToo ? 0 : 1) + ", " + MAX_LANE + "], was " + lane);
        }
    }

    private void room(int lane) {
        checkLane(lane, false);
        if (lane >= wm.length) {
            int n = Math.max(lane + 1, Math.min(MAX_LANE + 1, wm.length * 2));
            int old = wm.length;
            wm = Arrays.copyOf(wm, n);
            told = Arrays.copyOf(told, n);
            Arrays.fill(wm, old, n, Long.MIN_VALUE);
            Arrays.fill(told, old, n, Long.MIN_VALUE);
        }
    }

    @Override
    public void emitAll(int lane, java.util.List<? extends E> batch) throws InterruptedException {
        room(lane);
        events.emitAll(batch, lane, wm[lane]);
    }

    @Override
    public void advance(int lane, long watermark) {
        room(lane);
        if (watermark > wm[lane]) {
            wm[lane] = watermark;
        }
    }

    @Override
    public long watermark(int lane) {
        checkLane(lane, false);
        return lane < wm.length ? wm[lane] : Long.MIN_VALUE;
    }

    @Override
    public void publish() throws InterruptedException {
        for (int lane = 1; lane < wm.length; lane++) {
            long w = wm[lane];
            if (w > told[lane]) {
                job.broadcast(new Rec.Watermark(w, lane));
                told[lane] = w;
            }
        }
    }

    @Override
    public void reset(int lane) throws InterruptedException {
        room(lane);
        wm[lane] = Long.MIN_VALUE;
        told[lane] = Long.MIN_VALUE;
        job.broadcast(new Rec.LaneReset(lane));
    }

    @Override
    public String name() {
        return events.name();
    }

    @Override
    public SourceStats stats() {
        return events.stats();
    }

    @Override
    public String toString() {
        return "LaneEmitter[" + job.name() + "/" + events.name() + "]";
    }
}
