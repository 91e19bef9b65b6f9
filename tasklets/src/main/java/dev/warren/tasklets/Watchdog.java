package dev.warren.tasklets;

import dev.warren.tasklets.observe.LogStreams;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.Reports;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.LoggerFactory;

/**
 * The process's watchdog (libmtev's, inside the process): it notices tasklets that stop making
 * progress and a virtual-thread scheduler that stops running anything.
 *
 * <p><b>Heartbeats.</b> A tasklet (or any thread) {@linkplain #register registers} a {@link Heartbeat}
 * with a timeout and beats it where it makes progress. One that is overdue (not beaten for longer than
 * its timeout, and not {@linkplain Heartbeat#idle() idle}) is reported once per missed beat: a line on
 * the {@code watchdog} {@linkplain LogStreams#WATCHDOG log stream} (WARN) with its name, scope path, how
 * late it is and its stack; the counter {@code warren_watchdog_overdue_total}; and an event in {@link
 * #report()} (the admin server's {@code /watchdog.json}). Warren's own loops beat one each: job-queue
 * workers, stream shards and reactors, with the timeout {@link #defaultTimeout()}.
 *
 * <p><b>Restarting a hung child.</b> A tasklet of a {@linkplain TaskletScope#supervise supervising}
 * scope with a {@link RestartPolicy} may {@linkplain #registerRestarting register to be restarted}: when
 * it is overdue, the watchdog interrupts it; the task's failure (whatever it throws on the interrupt,
 * wrapped in a {@link WatchdogTimeoutException}) goes through the scope's restart machinery, backoff and
 * rate limit included (libmtev's {@code retries} per {@code span} are the policy's {@code maxRestarts} per
 * {@code window}). Past the rate limit the child ends {@link TaskletState#FAILED} and the watchdog
 * reports that it gave up. A task that never looks at its interrupt cannot be stopped this way; it is
 * reported all the same.
 *
 * <p><b>Scheduler stalls.</b> The watchdog runs on a platform thread of its own, so a stalled scheduler
 * cannot silence it. Every {@value #TICK_MILLIS} ms it wakes a probe virtual thread and measures how late
 * that gets to run. When the probe has waited longer than the {@linkplain #stallThreshold() stall
 * threshold} (default 1 s, {@code -Dwarren.watchdog.stallMillis}; 0 turns the probe off), every carrier
 * is held (a tasklet spinning without waiting, or pinned): the watchdog reports "scheduler stalled" with
 * the stacks of the tasklets running on carriers and of the carrier threads themselves, and "scheduler
 * recovered" once the probe ran.
 *
 * <pre>{@code
 * try (Heartbeat hb = Watchdog.register("importer", Duration.ofSeconds(30))) {
 *     for (Batch b : batches) {
 *         hb.beat();
 *         importBatch(b);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread and none blocks. The watchdog's
 * thread ({@code warren-watchdog}, a daemon) starts with the first heartbeat or {@link #start()} and
 * runs until the JVM exits; it never runs user code.
 */
public final class Watchdog {
    /** How often the watchdog looks, in milliseconds. */
    public static final int TICK_MILLIS = 50;

    private static final long TICK_NANOS = TICK_MILLIS * 1_000_000L;
    private static final int MAX_EVENTS = 64;
    private static final int MAX_FRAMES = 40;
    private static final int MAX_HOLDERS = 64;
    private static final int MAX_EXAMINED = 10_000;
    private static final Duration DEFAULT_TIMEOUT =
            Duration.ofMillis(Long.getLong("warren.watchdog.timeoutMillis", 60_000L));

    private static final Set<Heartbeat> HEARTBEATS = ConcurrentHashMap.newKeySet();
    /** Hung tasklets interrupted to be restarted, until their task fails (or ends). */
    private static final ConcurrentHashMap<TaskletImpl<?>, Heartbeat> HUNG = new ConcurrentHashMap<>();

    private static final ReentrantLock EVENTS_LOCK = new ReentrantLock();
    private static final ArrayDeque<Event> EVENTS = new ArrayDeque<>();

    private static final LongAdder OVERDUE = new LongAdder();
    private static final LongAdder RESTARTED = new LongAdder();
    private static final LongAdder GAVE_UP = new LongAdder();
    private static final LongAdder STALLS = new LongAdder();

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile Thread watcher;
    private static volatile long stallThresholdNanos = Long.getLong("warren.watchdog.stallMillis", 1_000L) * 1_000_000L;

    // The probe: the watchdog sets probeSentAt and unparks it; it answers with probeRanAt.
    private static volatile Thread probe;
    private static volatile long probeSentAt; // 0: none outstanding
    private static volatile long probeRanAt; // 0: not run yet
    private static volatile long lastProbeDelayNanos;
    private static volatile boolean stalled; // the watchdog's thread writes; readers only read

    static {
        Reports.register("watchdog", Watchdog::report);
        if (MetricRegistry.libraryMetrics()) {
            MetricRegistry.global().register(out -> {
                out.counter("warren_watchdog_overdue_total", "Heartbeats found overdue", OVERDUE.sum());
                out.counter(
                        "warren_watchdog_restarts_total", "Hung tasklets restarted by the watchdog", RESTARTED.sum());
                out.counter(
                        "warren_watchdog_gave_up_total",
                        "Hung tasklets not restarted: their rate limit was spent",
                        GAVE_UP.sum());
                out.counter("warren_watchdog_stalls_total", "Scheduler stalls: every carrier held", STALLS.sum());
                out.gauge(
                        "warren_watchdog_probe_delay_seconds",
                        "How late the watchdog's last probe virtual thread got to run",
                        lastProbeDelayNanos / 1e9);
                out.gauge("warren_watchdog_heartbeats", "Registered heartbeats", HEARTBEATS.size());
            });
        }
    }

    private Watchdog() {}

    /**
     * The timeout of the heartbeats of Warren's own loops (job-queue workers, stream shards, reactors):
     * 60 s, or {@code -Dwarren.watchdog.timeoutMillis}.
     */
    public static Duration defaultTimeout() {
        return DEFAULT_TIMEOUT;
    }

    /**
     * Registers a heartbeat for the calling tasklet (or thread), beating from now on. When it is
     * overdue it is reported; nothing else happens.
     *
     * @throws IllegalArgumentException if the timeout is not at least 1 ms
     */
    public static Heartbeat register(String name, Duration timeout) {
        return register(name, timeout, false);
    }

    /**
     * Registers a heartbeat for the calling tasklet, which must be a child of a supervising scope with a
     * {@link RestartPolicy}: when it is overdue it is reported and the tasklet is interrupted, and its
     * failure restarts it as the policy allows (see the class comment). A restarted task registers again.
     *
     * @throws IllegalStateException if the caller is not a tasklet of a supervising scope with a restart
     *     policy; the message names the caller and its scope
     * @throws IllegalArgumentException if the timeout is not at least 1 ms
     */
    public static Heartbeat registerRestarting(String name, Duration timeout) {
        return register(name, timeout, true);
    }

    private static Heartbeat register(String name, Duration timeout, boolean restart) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("heartbeat timeout must be >= 1 ms, was " + timeout);
        }
        TaskletImpl<?> me = WaitHints.current();
        if (restart && (me == null || !me.scope.restartsFailedChildren())) {
            throw new IllegalStateException("heartbeat '" + name + "' asks to restart its tasklet, but "
                    + (me == null
                            ? "thread '" + Thread.currentThread().getName() + "' is not a tasklet"
                            : "tasklet '" + me.name + "' is not in a supervising scope with a RestartPolicy (its scope"
                                    + " is '" + me.scope.name + "')"));
        }
        Heartbeat hb = new Heartbeat(name, Durations.saturatedNanos(timeout), restart, me, Thread.currentThread());
        HEARTBEATS.add(hb);
        start();
        return hb;
    }

    static void unregister(Heartbeat hb) {
        HEARTBEATS.remove(hb);
    }

    /**
     * Starts the watchdog's thread if it is not running yet (the first heartbeat does it too; the admin
     * server does it so that stalls are watched from the start).
     */
    public static void start() {
        if (STARTED.get() || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = Thread.ofPlatform().name("warren-watchdog").daemon(true).unstarted(Watchdog::watch);
        watcher = t;
        t.start();
    }

    /** The stall threshold; zero when the probe is off. */
    public static Duration stallThreshold() {
        return Duration.ofNanos(stallThresholdNanos);
    }

    /**
     * Sets the stall threshold: how long the probe may wait for a carrier before the scheduler counts
     * as stalled; {@link Duration#ZERO} turns the probe off.
     *
     * @throws IllegalArgumentException if it is negative, or positive but under {@value #TICK_MILLIS} ms
     *     (the watchdog could not measure it)
     */
    public static void stallThreshold(Duration threshold) {
        Objects.requireNonNull(threshold, "threshold");
        if (threshold.isNegative() || (!threshold.isZero() && threshold.toMillis() < TICK_MILLIS)) {
            throw new IllegalArgumentException(
                    "stall threshold must be 0 (off) or >= " + TICK_MILLIS + " ms, was " + threshold);
        }
        stallThresholdNanos = Durations.saturatedNanos(threshold);
    }

    /** The last events (at most {@value #MAX_EVENTS}), oldest first. */
    public static List<Event> events() {
        EVENTS_LOCK.lock();
        try {
            return List.copyOf(EVENTS);
        } finally {
            EVENTS_LOCK.unlock();
        }
    }

    /**
     * What the watchdog knows now, as a JSON-ready tree (the admin server's {@code /watchdog.json}): the
     * registered heartbeats, the counters, the probe and the last events.
     */
    public static Map<String, Object> report() {
        long now = System.nanoTime();
        List<Map<String, Object>> beats = new ArrayList<>();
        for (Heartbeat hb : HEARTBEATS) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", hb.name);
            m.put("scope", hb.tasklet == null ? "thread " + hb.thread.getName() : scopePath(hb.tasklet));
            m.put("timeout_ms", hb.timeoutNanos / 1_000_000);
            long last = hb.last();
            m.put("idle", last == Heartbeat.IDLE);
            m.put("since_beat_ms", last == Heartbeat.IDLE ? null : (now - last) / 1_000_000);
            m.put("overdue", last != Heartbeat.IDLE && now - last > hb.timeoutNanos);
            m.put("restarting", hb.restart);
            beats.add(m);
        }
        beats.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("running", watcher != null);
        out.put("heartbeats", beats);
        out.put("overdue_total", OVERDUE.sum());
        out.put("restarts_total", RESTARTED.sum());
        out.put("gave_up_total", GAVE_UP.sum());
        out.put("stalls_total", STALLS.sum());
        out.put("stalled", stalled);
        out.put("stall_threshold_ms", stallThresholdNanos / 1_000_000);
        out.put("probe_delay_ms", lastProbeDelayNanos / 1e6);
        out.put("events", events().stream().map(Event::toTree).toList());
        return out;
    }

    // ------------------------------------------------------------------ the watchdog's thread

    private static void watch() {
        for (; ; ) {
            try {
                long now = System.nanoTime();
                scan(now);
                probe(now);
            } catch (RuntimeException | LinkageError e) {
                LoggerFactory.getLogger(Watchdog.class).error("bug: the watchdog's scan failed; it goes on", e);
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    private static void scan(long now) {
        for (java.util.Iterator<Heartbeat> it = HEARTBEATS.iterator(); it.hasNext(); ) {
            Heartbeat hb = it.next();
            TaskletImpl<?> t = hb.tasklet;
            if (hb.closed
                    || (t != null && t.rawState() >= TaskletImpl.DONE)
                    || (hb.restart && t != null && t.restarts != hb.generation)) {
                it.remove(); // its tasklet ended, or restarted and registers anew
                continue;
            }
            long last = hb.last();
            if (last == Heartbeat.IDLE || now - last <= hb.timeoutNanos || hb.reportedBeat == last) {
                continue;
            }
            hb.reportedBeat = last;
            overdue(hb, now - last);
        }
    }

    private static void overdue(Heartbeat hb, long sinceNanos) {
        OVERDUE.increment();
        String scope = hb.tasklet == null ? "thread " + hb.thread.getName() : scopePath(hb.tasklet);
        List<String> stack = stack(hb.thread);
        long lateMillis = (sinceNanos - hb.timeoutNanos) / 1_000_000;
        boolean restarting = hb.restart && hb.tasklet != null && hb.tasklet.rawState() == TaskletImpl.RUNNING;
        record(new Event("overdue", hb.name, scope, lateMillis, stack, List.of(), System.currentTimeMillis()));
        LogStreams.WATCHDOG.log(() -> "heartbeat '" + hb.name + "' of " + scope + " is overdue: no beat for "
                + sinceNanos / 1_000_000 + " ms (timeout " + hb.timeoutNanos / 1_000_000 + " ms, " + lateMillis
                + " ms late)" + (restarting ? "; interrupting it to restart it" : "") + lines(stack));
        if (restarting) {
            HUNG.put(hb.tasklet, hb);
            hb.thread.interrupt();
        }
    }

    /**
     * Called by a tasklet whose task threw: the heartbeat that had it interrupted, if the watchdog did
     * (taking the mark off), else null. Cheap when nothing is hung.
     */
    static Heartbeat takeHung(TaskletImpl<?> t) {
        return HUNG.isEmpty() ? null : HUNG.remove(t);
    }

    /** A tasklet ends: it is no longer hung, whatever its task did with the interrupt. */
    static void ended(TaskletImpl<?> t) {
        if (!HUNG.isEmpty()) {
            HUNG.remove(t);
        }
    }

    /** The hung tasklet {@code t} is restarted after {@code pause}. */
    static void restarting(TaskletImpl<?> t, Heartbeat hb, Duration pause) {
        RESTARTED.increment();
        String scope = scopePath(t);
        record(new Event("restarted", hb.name, scope, 0, List.of(), List.of(), System.currentTimeMillis()));
        LogStreams.WATCHDOG.log(() -> "hung tasklet '" + t.name + "' (heartbeat '" + hb.name + "') of " + scope
                + " restarts in " + pause.toMillis() + " ms (restart " + (t.restarts + 1) + ")");
    }

    /** The hung tasklet {@code t} is not restarted: its scope's rate limit is spent (or it was stopping). */
    static void gaveUp(TaskletImpl<?> t, Heartbeat hb) {
        GAVE_UP.increment();
        String scope = scopePath(t);
        record(new Event("gave up", hb.name, scope, 0, List.of(), List.of(), System.currentTimeMillis()));
        LogStreams.WATCHDOG.log(() -> "hung tasklet '" + t.name + "' (heartbeat '" + hb.name + "') of " + scope
                + " is not restarted: its restart rate limit is spent after " + t.restarts + " restarts; it fails");
    }

    private static void probe(long now) {
        long threshold = stallThresholdNanos;
        if (threshold == 0) {
            return;
        }
        Thread p = probe;
        if (p == null) {
            // The runtime's own probe, not a tasklet: it must not show in the registry, in counts of live
            // tasklets, or in any scope, and must never be cancelled with one.
            p = Thread.ofVirtual().name("warren-watchdog-probe").unstarted(Watchdog::probeLoop);
            probe = p;
            p.start();
        }
        long sent = probeSentAt;
        if (sent == 0) {
            probeRanAt = 0;
            probeSentAt = now;
            LockSupport.unpark(p);
            return;
        }
        long ran = probeRanAt;
        if (ran != 0) {
            lastProbeDelayNanos = ran - sent;
            if (stalled) {
                stalled = false;
                long ms = (ran - sent) / 1_000_000;
                record(new Event("recovered", "scheduler", "", ms, List.of(), List.of(), System.currentTimeMillis()));
                LogStreams.WATCHDOG.log("scheduler recovered: the probe ran after {} ms", ms);
            }
            probeSentAt = 0;
            return;
        }
        if (!stalled && now - sent > threshold) {
            stalled = true;
            stall((now - sent) / 1_000_000);
        }
    }

    private static void probeLoop() {
        for (; ; ) {
            LockSupport.park();
            if (probeSentAt != 0 && probeRanAt == 0) {
                probeRanAt = System.nanoTime();
            }
        }
    }

    private static void stall(long waitedMillis) {
        STALLS.increment();
        List<Holder> holders = new ArrayList<>();
        int examined = 0;
        for (TaskletImpl<?> t : liveTasklets()) {
            // A stack costs microseconds; a burst of a million runnable tasklets must not keep the
            // watchdog away from its heartbeats for seconds.
            if (holders.size() >= MAX_HOLDERS || examined >= MAX_EXAMINED) {
                break;
            }
            Thread th = t.thread();
            Thread.State st = th.getState();
            if (st != Thread.State.RUNNABLE) {
                continue;
            }
            examined++;
            StackTraceElement[] frames = th.getStackTrace();
            if (holdsCarrier(st, frames)) {
                holders.add(new Holder(t.name, scopePath(t), frames(frames)));
            }
        }
        for (Map.Entry<Thread, StackTraceElement[]> e :
                Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getClass().getName().equals("jdk.internal.misc.CarrierThread")) {
                holders.add(new Holder("carrier " + e.getKey().getName(), "", frames(e.getValue())));
            }
        }
        int carriers = SchedulerLoad.PARALLELISM;
        record(new Event(
                "stalled", "scheduler", "", waitedMillis, List.of(), List.copyOf(holders), System.currentTimeMillis()));
        LogStreams.WATCHDOG.log(() -> {
            StringBuilder b = new StringBuilder("scheduler stalled: the probe has waited ")
                    .append(waitedMillis)
                    .append(" ms for a carrier (")
                    .append(carriers)
                    .append(" carriers); held by:");
            for (Holder h : holders) {
                b.append("\n  ")
                        .append(h.name())
                        .append(h.scope().isEmpty() ? "" : " (" + h.scope() + ")")
                        .append(lines(h.stack()).replace("\n", "\n  "));
            }
            return b.toString();
        });
    }

    /**
     * Whether a virtual thread in state {@code st} with these frames is mounted and running: RUNNABLE
     * (which also covers one queued for a carrier) with a stack that is not stopped in a yield or a park
     * (a queued thread's stack is frozen there; a new one has none).
     */
    static boolean holdsCarrier(Thread.State st, StackTraceElement[] frames) {
        if (st != Thread.State.RUNNABLE || frames.length == 0) {
            return false;
        }
        for (int i = 0; i < Math.min(frames.length, 6); i++) {
            String c = frames[i].getClassName();
            String m = frames[i].getMethodName();
            if ((c.equals("jdk.internal.vm.Continuation") && m.startsWith("yield"))
                    || (c.equals("java.lang.VirtualThread") && (m.contains("park") || m.contains("yield")))) {
                return false;
            }
        }
        return true;
    }

    /** Every live tasklet, walking the registry as {@link Tasklets#snapshot()} does. */
    private static List<TaskletImpl<?>> liveTasklets() {
        List<TaskletImpl<?>> out = new ArrayList<>();
        List<ScopeCore> scopes = new ArrayList<>();
        scopes.add(ScopeCore.ROOT);
        scopes.addAll(ScopeCore.TOP_LEVEL);
        for (ScopeCore innermost : ScopeCore.INNERMOST_ON_PLAIN_THREADS.values()) {
            ScopeCore.addOutwards(innermost, scopes);
        }
        Set<ScopeCore> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 0; i < scopes.size(); i++) {
            ScopeCore s = scopes.get(i);
            if (!seen.add(s)) {
                continue;
            }
            for (TaskletImpl<?> t : s.children.snapshot()) {
                out.add(t);
                Set<ScopeCore> owned = t.ownedScopesOrNull();
                if (owned != null) {
                    scopes.addAll(owned);
                }
                ScopeCore.addOutwards(t.innermostScope(), scopes);
            }
        }
        return out;
    }

    /** "scope / tasklet / scope / ... / tasklet": where {@code t} sits in the tree, outermost first. */
    static String scopePath(TaskletImpl<?> t) {
        List<String> parts = new ArrayList<>();
        parts.add(t.name);
        ScopeCore s = t.scope;
        for (int depth = 0; s != null && depth < 64; depth++) {
            parts.add(s.name);
            TaskletImpl<?> owner = s.owner;
            if (owner == null) {
                break;
            }
            parts.add(owner.name);
            s = owner.scope;
        }
        Collections.reverse(parts);
        return String.join(" / ", parts);
    }

    private static List<String> stack(Thread t) {
        return frames(t.getStackTrace());
    }

    private static List<String> frames(StackTraceElement[] frames) {
        List<String> out = new ArrayList<>(Math.min(frames.length, MAX_FRAMES));
        for (int i = 0; i < frames.length && i < MAX_FRAMES; i++) {
            out.add(frames[i].toString());
        }
        return List.copyOf(out);
    }

    private static String lines(List<String> stack) {
        StringBuilder b = new StringBuilder();
        for (String f : stack) {
            b.append("\n\tat ").append(f);
        }
        return b.toString();
    }

    private static void record(Event e) {
        EVENTS_LOCK.lock();
        try {
            EVENTS.addLast(e);
            while (EVENTS.size() > MAX_EVENTS) {
                EVENTS.removeFirst();
            }
        } finally {
            EVENTS_LOCK.unlock();
        }
    }

    /**
     * One thing the watchdog saw.
     *
     * @param kind {@code "overdue"}, {@code "restarted"}, {@code "gave up"}, {@code "stalled"} or
     *     {@code "recovered"}
     * @param name the heartbeat's name, or {@code "scheduler"}
     * @param scope the tasklet's place in the tree (see {@link Tasklets#snapshot()}), outermost first;
     *     empty for the scheduler
     * @param lateMillis how late: past the heartbeat's timeout, or how long the probe waited
     * @param stack the overdue tasklet's stack (at most 40 frames); empty otherwise
     * @param holders for a stall, what held the carriers: the tasklets running on them and the carrier
     *     threads, each with its stack
     * @param atMillis when, in milliseconds since the epoch
     */
    public record Event(
            String kind,
            String name,
            String scope,
            long lateMillis,
            List<String> stack,
            List<Holder> holders,
            long atMillis) {
        Map<String, Object> toTree() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind);
            m.put("name", name);
            m.put("scope", scope);
            m.put("late_ms", lateMillis);
            m.put("at", atMillis);
            m.put("stack", stack);
            if (!holders.isEmpty()) {
                m.put(
                        "holders",
                        holders.stream()
                                .map(h -> Map.of("name", h.name(), "scope", h.scope(), "stack", h.stack()))
                                .toList());
            }
            return m;
        }
    }

    /**
     * A thread that held a carrier during a stall.
     *
     * @param name the tasklet's name, or {@code "carrier NAME"} for a carrier thread
     * @param scope the tasklet's place in the tree; empty for a carrier thread
     * @param stack its stack, at most 40 frames
     */
    public record Holder(String name, String scope, List<String> stack) {}
}
