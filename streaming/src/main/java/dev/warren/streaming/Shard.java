package dev.warren.streaming;

import dev.warren.streaming.sink.WindowSink;
import dev.warren.streaming.window.WindowResult;
import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.CheckedRunnable;
import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Heartbeat;
import dev.warren.tasklets.Watchdog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard: a tasklet that alone owns the keys hashed to it (their state and windows) and drains its
 * inbox. No field but the published counters is read by another thread, so nothing here locks.
 *
 * <p><b>Loop.</b> Take everything queued without parking; when the inbox is empty, publish the counters
 * and park in {@code receive} — with a timeout up to the next due window under the system clock, so
 * windows close on time when no event comes (no polling loop). Under event time, time moves only with
 * the watermark, which arrives in band (with every event, and from the job's ticker).
 *
 * <p><b>Timers.</b> Each key with an open window (or an idle TTL) is registered once in a sorted map of
 * due time to keys; aligned windows make keys share buckets. A key's registration is lazy: a bucket entry
 * counts only if the key still names that bucket, so moving a key costs no search.
 *
 * <p><b>Lanes.</b> Time is kept per {@link Lane}: a watermark, its close limit and its timers. Lane 0 is
 * the job's own time (the system clock, a manual clock, or the job's event-time watermark); a
 * {@link LaneEmitter} feeds others, each with its own watermark. A key lives in the lane of the event that
 * made it, and its windows close on that lane's time only.
 */
final class Shard implements CheckedRunnable {
    private static final Logger LOG = LoggerFactory.getLogger(Shard.class);
    private static final int LOUD_ERRORS = 10;

    private final JobRuntime<?> job;
    final int index;
    final Channel<Object> inbox;
    private final WindowLogic windows;
    private final boolean keepState;
    private final long ttl;
    private final long grace;
    private final HashMap<Object, KeyEntry> keys = new HashMap<>();
    private final WindowSink<Object, Object, Object>[] sinks;
    /** The job's changelog codec, or null: no changelog, nothing tracked. */
    private final dev.warren.streaming.window.AccumulatorCodec<Object> codec;
    /** Keys changed since the last checkpoint (changelog only), each once ({@link KeyEntry#dirty}). */
    private final ArrayList<KeyEntry> dirty = new ArrayList<>();

    /**
     * Under the system clock (processing time), events come unstamped and the shard reads the clock
     * itself: once after every wait and then every {@value #CLOCK_EVERY} events, so a clock read (tens
     * of nanoseconds) is not paid per event, on the emitting thread or here. An event's time is then
     * when its shard took it, at most {@value #CLOCK_EVERY} events late.
     */
    private static final int CLOCK_EVERY = 64;

    private final boolean stampHere;
    private int clockCountdown;
    /** The job's own time. */
    private final Lane lane0 = new Lane(0);
    /** Every lane by number (null: none yet); replaced, never changed in place, when a lane is added. */
    private Lane[] lanes = {lane0};
    /** {@link #lanes} for other threads ({@link #closedOf}). */
    private volatile Lane[] lanesView = lanes;

    private long eventsIn;
    private long late;
    private long windowsEmitted;
    /** Windows went to the sinks since their last {@link WindowSink#flush()}. */
    private boolean unflushed;

    private long callbackErrors;
    private Heartbeat heartbeat; // registered by run(), on the shard's own tasklet
    final AtomicLong pubEventsIn = new AtomicLong();
    final AtomicLong pubLate = new AtomicLong();
    final AtomicLong pubWindows = new AtomicLong();
    final AtomicLong pubErrors = new AtomicLong();
    final AtomicLong pubKeys = new AtomicLong();
    /**
     * The close limit as of the last moment the sinks had nothing unflushed: every window ending at or
     * before it was handed to the sinks and flushed (see {@link StreamJob#closedThrough()}).
     */
    final AtomicLong pubClosed = new AtomicLong(Long.MIN_VALUE);

    @SuppressWarnings({"unchecked", "rawtypes"})
    Shard(JobRuntime<?> job, int index, Channel<Object> inbox) {
        this.job = job;
        this.index = index;
        this.inbox = inbox;
        this.windows = job.windowSpec == null ? null : WindowLogic.of(job.windowSpec, job.aggregator);
        this.keepState = job.stateInit != null || job.stateFree != null;
        this.ttl = job.idleTtl;
        this.grace = job.grace;
        this.sinks = job.sinks.toArray(new WindowSink[0]);
        this.stampHere = job.systemProcessingTime;
        this.codec = job.changelogCodec;
    }

    @Override
    public void run() throws InterruptedException {
        // A deep inbox never makes the shard wait: it gives its carrier back now and then (a unit per message).
        Fairness.Budget budget = Fairness.budget();
        // Beaten after each wait and every 1,024 messages (a clock read per message would cost more than
        // the rest of the accounting): a message or a sink that blocks the shard past the timeout is reported.
        heartbeat = Watchdog.register("job " + job.name() + " shard " + index, Watchdog.defaultTimeout());
        int sinceBeat = 0;
        try {
            for (; ; ) {
                Object m = inbox.poll();
                if (m == null) {
                    m = awaitNext();
                    heartbeat.beat();
                    if (m == null) {
                        continue;
                    }
                    clockCountdown = 0; // time passed while waiting: read the clock before the next event
                } else if (++sinceBeat >= 1024) {
                    sinceBeat = 0;
                    heartbeat.beat();
                }
                process(m);
                budget.checkpoint();
            }
        } catch (ChannelClosedException closed) {
            finish();
        } finally {
            heartbeat.close();
            publish(); // the sinks are flushed by their close(), after every shard has ended
        }
    }

    /**
     * The inbox is empty: closes the windows that are due by now, hands what was emitted to the sinks'
     * {@link WindowSink#flush()}, publishes the counters, then waits for the next message or until the
     * next window is due (null then).
     */
    private Object awaitNext() throws InterruptedException {
        long now = 0;
        if (job.systemProcessingTime) {
            now = job.clock.nowMillis();
            if (now > lane0.wm) {
                advance(lane0, now);
            }
        }
        flushSinks();
        publish();
        heartbeat.idle(); // waiting for the next message is not a hang
        if (!job.systemProcessingTime) {
            return inbox.receive();
        }
        Map.Entry<Long, ArrayList<KeyEntry>> next = lane0.timers.firstEntry();
        if (next == null) {
            return inbox.receive();
        }
        long wait = Math.max(1, next.getKey() - now);
        return inbox.receive(Duration.ofMillis(wait));
    }

    /** Lets each sink write out what it buffered, once per batch of emitted windows. */
    private void flushSinks() {
        if (!unflushed) {
            return;
        }
        // A sink whose flush failed keeps the shard unflushed, so closedThrough() stays behind what it
        // may not have written and a source acknowledging upstream replays rather than skips.
        boolean ok = true;
        for (WindowSink<Object, Object, Object> sink : sinks) {
            try {
                sink.flush();
            } catch (InterruptedException ie) {
                ok = false;
                Thread.currentThread().interrupt();
            } catch (Exception ex) {
                ok = false;
                callbackError("sink flush", ex);
            }
        }
        unflushed = !ok;
    }

    private void process(Object m) {
        if (m instanceof Rec.Event r) {
            take(r);
        } else if (m instanceof Rec.Batch b) {
            for (Rec.Event r : b.events()) {
                take(r);
            }
        } else if (m instanceof Rec.Watermark w) {
            Lane l = lane(w.lane());
            if (w.wm() > l.wm) {
                advance(l, w.wm());
            }
        } else if (m instanceof Rec.LaneReset r) {
            Lane l = lane(r.lane());
            l.wm = Long.MIN_VALUE;
            l.closeLimit = Long.MIN_VALUE;
            l.pubClosed = Long.MIN_VALUE;
        } else if (m instanceof Rec.Discard d) {
            discard(d);
        } else if (m instanceof Rec.Checkpoint c) {
            checkpoint(c);
        } else if (m instanceof Rec.Restore r) {
            restore(r);
        }
    }

    /**
     * Drops the keys the request accepts: their open windows go nowhere, their state is freed, their
     * timer entries no longer count (a bucket entry counts only if the key still names that bucket).
     */
    private void discard(Rec.Discard d) {
        long n = 0;
        try {
            var it = keys.values().iterator();
            while (it.hasNext()) {
                KeyEntry ke = it.next();
                boolean drop;
                try {
                    drop = d.keys().test(ke.key);
                } catch (RuntimeException ex) {
                    callbackError("discard predicate", ex);
                    drop = false;
                }
                if (drop) {
                    it.remove();
                    ke.scheduled = KeyEntry.DISCARDED; // handed over: no tombstone for it
                    free(ke);
                    n++;
                }
            }
        } finally {
            d.dropped().addAndGet(n);
            d.done().countDown();
            publish();
        }
    }

    private void take(Rec.Event r) {
        if ((++eventsIn & 4095) == 0) {
            // a shard that never drains its inbox still moves closedThrough(), which needs flushed sinks
            flushSinks();
            publish();
        }
        Lane l = r.lane() == 0 ? lane0 : lane(r.lane());
        if (stampHere) {
            if (--clockCountdown < 0) {
                clockCountdown = CLOCK_EVERY - 1;
                long now = job.clock.nowMillis();
                if (now > l.wm) {
                    advance(l, now);
                }
            }
        } else if (r.wm() > l.wm) {
            advance(l, r.wm());
        }
        onEvent(r, l);
    }

    /** Lane {@code id}, made (at the beginning of time) if this shard has not heard of it yet. */
    private Lane lane(int id) {
        Lane[] ls = lanes;
        if (id < ls.length && ls[id] != null) {
            return ls[id];
        }
        Lane[] grown = java.util.Arrays.copyOf(ls, Math.max(ls.length, id + 1));
        Lane l = new Lane(id);
        grown[id] = l;
        lanes = grown;
        lanesView = grown;
        return l;
    }

    /**
     * Lane {@code id}'s share of {@link StreamJob#closedThrough(int)}: its close limit as of the last
     * moment the sinks had nothing unflushed; {@link Long#MIN_VALUE} for a lane this shard has not heard
     * of. Any thread.
     */
    long closedOf(int id) {
        if (id == 0) {
            return pubClosed.get();
        }
        Lane[] ls = lanesView;
        Lane l = id < ls.length ? ls[id] : null;
        return l == null ? Long.MIN_VALUE : l.pubClosed;
    }

    private void advance(Lane l, long to) {
        l.wm = to;
        l.closeLimit = Rec.sub(to, grace);
        TreeMap<Long, ArrayList<KeyEntry>> timers = l.timers;
        Map.Entry<Long, ArrayList<KeyEntry>> e;
        while ((e = timers.firstEntry()) != null && e.getKey() <= to) {
            timers.pollFirstEntry();
            long due = e.getKey();
            for (KeyEntry ke : e.getValue()) {
                if (ke.scheduled == due) {
                    ke.scheduled = KeyEntry.NONE;
                    onTimer(ke);
                }
            }
        }
    }

    private void onEvent(Rec.Event r, Lane eventLane) {
        Object key = r.key();
        KeyEntry ke = keys.get(key);
        if (ke == null) {
            ke = new KeyEntry(key, eventLane);
            if (job.stateInit != null) {
                try {
                    ke.state = job.stateInit.apply(key);
                } catch (RuntimeException ex) {
                    callbackError("stateInit", ex);
                }
            }
            keys.put(key, ke);
        }
        Lane l = ke.lane; // a key's windows keep the time of the lane it was made in
        long ts = job.eventTime ? r.ts() : Math.max(r.ts(), l.wm);
        if (windows != null && !windows.add(ke, r.event(), ts, l.closeLimit)) {
            late++;
            job.late(key, r.event(), ts, l.wm, this);
            schedule(ke);
            return;
        }
        if (ts > ke.lastSeen) {
            ke.lastSeen = ts;
        }
        if (codec != null) {
            touch(ke);
        }
        if (job.handle != null) {
            try {
                job.handle.accept(r.event(), ke.state);
            } catch (RuntimeException ex) {
                callbackError("handle", ex);
            }
        }
        schedule(ke);
    }

    /** Registers the key's next due time, or handles it now if that time has come. */
    private void schedule(KeyEntry ke) {
        long due;
        if (windows != null && !windows.isEmpty(ke)) {
            due = Rec.add(windows.nextEnd(ke), grace);
        } else if (ttl > 0) {
            due = Rec.add(ke.lastSeen, ttl);
        } else if (!keepState) {
            evict(ke);
            return;
        } else {
            return;
        }
        if (due <= ke.lane.wm) {
            onTimer(ke);
        } else if (due < ke.scheduled) {
            ke.scheduled = due;
            ke.lane.timers.computeIfAbsent(due, d -> new ArrayList<>()).add(ke);
        }
    }

    private void onTimer(KeyEntry ke) {
        Lane l = ke.lane;
        if (windows != null) {
            windows.fire(ke, l.closeLimit, this);
        }
        if (windows == null || windows.isEmpty(ke)) {
            boolean idle = ttl > 0 ? Rec.add(ke.lastSeen, ttl) <= l.wm : !keepState;
            if (idle) {
                evict(ke);
                return;
            }
        }
        schedule(ke);
    }

    private void evict(KeyEntry ke) {
        keys.remove(ke.key);
        ke.scheduled = KeyEntry.EVICTED;
        if (codec != null) {
            touch(ke); // its tombstone
        }
        free(ke);
    }

    /** Notes that the key's state changed since the last checkpoint (changelog only). */
    private void touch(KeyEntry ke) {
        if (!ke.dirty) {
            ke.dirty = true;
            dirty.add(ke);
        }
    }

    /**
     * Flushes the sinks, then hands every key changed since the last checkpoint to the writer: its open
     * windows, or a tombstone if it was evicted (not for a key handed over by a discard: its next owner
     * writes it). Publishes after, so that {@link StreamJob#closedThrough(int)} tells the close limits
     * this checkpoint's state is beyond.
     */
    private void checkpoint(Rec.Checkpoint c) {
        try {
            flushSinks();
            if (unflushed) {
                c.ok().set(false);
            }
            for (KeyEntry ke : dirty) {
                ke.dirty = false;
                if (ke.scheduled == KeyEntry.DISCARDED || codec == null) {
                    continue;
                }
                try {
                    if (ke.scheduled == KeyEntry.EVICTED) {
                        c.writer().write(ke.lane.id, ke.key, null, Long.MIN_VALUE);
                    } else {
                        c.writer().write(ke.lane.id, ke.key, snapshot(ke), windows.lastEnd(ke));
                    }
                } catch (InterruptedException ie) {
                    c.ok().set(false);
                    Thread.currentThread().interrupt();
                } catch (Exception ex) {
                    c.ok().set(false);
                    callbackError("changelog writer", ex);
                }
            }
            dirty.clear();
        } finally {
            publish();
            c.done().countDown();
        }
    }

    /** What a checkpoint writes for a live key: its windows, then {@code "\nstate TEXT"}; null if neither. */
    private String snapshot(KeyEntry ke) {
        String w = windows.snapshot(ke, codec);
        if (job.stateEncoder == null || ke.state == null) {
            return w;
        }
        String st = job.stateEncoder.apply(ke.state);
        if (st.indexOf('\n') >= 0) {
            throw new IllegalStateException("the state encoder wrote a line break: '" + st + "'");
        }
        return (w == null ? "none" : w) + "\nstate " + st;
    }

    /**
     * Keys' windows from a changelog, in order: each state replaces what this shard holds for its key (a
     * key made now joins the given lane), a null one drops the key; neither is a change to write back.
     */
    private void restore(Rec.Restore r) {
        Lane l = lane(r.lane());
        Object[] ks = r.keys();
        String[] states = r.states();
        for (int i = 0; i < ks.length; i++) {
            Object key = ks[i];
            KeyEntry old = keys.remove(key);
            if (old != null) {
                old.scheduled = KeyEntry.DISCARDED;
                free(old);
            }
            if (states[i] == null) {
                continue;
            }
            KeyEntry ke = new KeyEntry(key, l);
            keys.put(key, ke);
            String text = states[i];
            int st = job.stateDecoder == null ? -1 : text.lastIndexOf("\nstate ");
            if (st >= 0) {
                String stateText = text.substring(st + "\nstate ".length());
                text = text.substring(0, st);
                try {
                    ke.state = job.stateDecoder.apply(stateText);
                } catch (RuntimeException ex) {
                    callbackError("changelog restore of the state of key " + key, ex);
                }
            }
            if (ke.state == null && job.stateInit != null) {
                try {
                    ke.state = job.stateInit.apply(key);
                } catch (RuntimeException ex) {
                    callbackError("stateInit", ex);
                }
            }
            try {
                if (!text.equals("none")) {
                    windows.restore(ke, text, codec, l.closeLimit);
                }
            } catch (RuntimeException ex) {
                callbackError("changelog restore of key " + key, ex);
            }
            schedule(ke);
        }
        publish();
    }

    private void free(KeyEntry ke) {
        if (job.stateFree != null) {
            try {
                job.stateFree.accept(ke.key, ke.state);
            } catch (RuntimeException ex) {
                callbackError("stateFree", ex);
            }
        }
    }

    /** Called by the window logic for every closed, non-empty window. */
    void emitWindow(KeyEntry ke, long start, long end, Object result) {
        WindowResult<Object, Object> wr = new WindowResult<>(ke.key, start, end, result);
        if (job.emitIf != null) {
            boolean pass;
            try {
                pass = job.emitIf.test(wr);
            } catch (RuntimeException ex) {
                callbackError("emitIf", ex);
                pass = true; // a broken filter must not lose windows
            }
            if (!pass) {
                return;
            }
        }
        windowsEmitted++;
        unflushed = true;
        for (WindowSink<Object, Object, Object> sink : sinks) {
            try {
                sink.emit(wr, ke.state);
            } catch (InterruptedException ie) {
                // The job is being cancelled; the next receive sees the interrupt and stops the shard.
                Thread.currentThread().interrupt();
            } catch (Exception ex) {
                callbackError("sink", ex);
            }
        }
    }

    /** Graceful end: every open window is emitted whatever the watermark, then every state is freed. */
    private void finish() {
        for (Lane l : lanes) {
            if (l != null) {
                l.wm = Long.MAX_VALUE;
                l.closeLimit = Long.MAX_VALUE;
                l.timers.clear();
            }
        }
        if (windows != null) {
            for (KeyEntry ke : keys.values()) {
                windows.fire(ke, Long.MAX_VALUE, this);
            }
        }
        for (KeyEntry ke : keys.values()) {
            ke.scheduled = KeyEntry.EVICTED;
            free(ke);
        }
        keys.clear();
    }

    void callbackError(String what, Throwable ex) {
        callbackErrors++;
        if (callbackErrors <= LOUD_ERRORS) {
            LOG.warn(
                    "job '{}' shard {}: {} threw{}",
                    job.name(),
                    index,
                    what,
                    callbackErrors == LOUD_ERRORS ? " (further errors at debug)" : "",
                    ex);
        } else {
            LOG.debug("job '{}' shard {}: {} threw", job.name(), index, what, ex);
        }
    }

    private void publish() {
        pubEventsIn.lazySet(eventsIn);
        pubLate.lazySet(late);
        pubWindows.lazySet(windowsEmitted);
        pubErrors.lazySet(callbackErrors);
        pubKeys.lazySet(keys.size());
        if (!unflushed) {
            pubClosed.lazySet(lane0.closeLimit);
            Lane[] ls = lanes;
            for (int i = 1; i < ls.length; i++) {
                if (ls[i] != null) {
                    ls[i].pubClosed = ls[i].closeLimit;
                }
            }
        }
    }

    ShardStats stats() {
        return new ShardStats(
                index,
                pubEventsIn.get(),
                pubLate.get(),
                pubKeys.get(),
                inbox.size(),
                pubWindows.get(),
                pubErrors.get());
    }

    /** One lane's time on this shard; shard-confined but for {@link #pubClosed}. */
    static final class Lane {
        final int id;
        long wm = Long.MIN_VALUE;
        long closeLimit = Long.MIN_VALUE;
        /** Due time to the keys of this lane registered for it. */
        final TreeMap<Long, ArrayList<KeyEntry>> timers = new TreeMap<>();
        /** The close limit as of the last moment the sinks had nothing unflushed (lanes other than 0). */
        volatile long pubClosed = Long.MIN_VALUE;

        Lane(int id) {
            this.id = id;
        }
    }
}
