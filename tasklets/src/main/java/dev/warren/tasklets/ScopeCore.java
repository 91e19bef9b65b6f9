package dev.warren.tasklets;

import dev.warren.tasklets.observe.Reports;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link TaskletScope} and {@link FirstSuccessScope}: the set of live children,
 * the policy applied when a child ends, cancellation, deadline and concurrency limit.
 *
 * <p>Children are kept in a concurrent set that each child leaves on its own thread as its last act;
 * {@link #awaitChildren} joins the threads of whatever is still in the set until it is empty.
 */
final class ScopeCore {
    enum Policy {
        FAIL_FAST,
        FIRST_SUCCESS,
        SUPERVISE,
        ROOT
    }

    private static final Logger LOG = LoggerFactory.getLogger(ScopeCore.class);
    private static final Object NO_WINNER = new Object();
    static final ScheduledThreadPoolExecutor DEADLINES = newDeadlineTimer();
    /** The longest pause between two reports of a close that cannot finish. */
    static final long STUCK_REPORT_MAX_NANOS = TimeUnit.MINUTES.toNanos(5);
    /** Tasklets named, with their stacks, in one report; the rest are counted. */
    static final int STUCK_REPORT_MAX_TASKLETS = 20;
    /** Frames shown per stack in a report. */
    static final int STUCK_REPORT_MAX_FRAMES = 40;

    private static final VarHandle NEXT_STUCK_REPORT;
    private static final VarHandle NESTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT_STUCK_REPORT = l.findVarHandle(ScopeCore.class, "nextStuckReport", long.class);
            NESTED = l.findVarHandle(ScopeCore.class, "nested", Set.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The innermost open scope of each thread that is not a tasklet and has one open (a tasklet keeps its
     * own in {@link TaskletImpl#innermostScope}). Entries live exactly while such a thread has a scope
     * open, as {@link #TOP_LEVEL} holds the scopes themselves; a thread's entry goes when its outermost
     * scope closes.
     */
    static final ConcurrentHashMap<Thread, ScopeCore> INNERMOST_ON_PLAIN_THREADS = new ConcurrentHashMap<>();

    /** Scopes opened on threads that are not tasklets (a main thread, a test thread...). */
    static final Set<ScopeCore> TOP_LEVEL = ConcurrentHashMap.newKeySet();
    /** The scope of tasklets started with {@link Tasklets#start}; it never closes. */
    static final ScopeCore ROOT = new ScopeCore("warren", Policy.ROOT, null, null, null, 0, null, null, null, 0);

    static {
        // The registry is visible as the "tasklets" report from the first use of the runtime on.
        Reports.register("tasklets", () -> Tasklets.snapshot().toTree());
    }

    final String name;
    final Policy policy;
    final long openedNanos = System.nanoTime();
    final TaskletImpl<?> owner; // null for the root and for top-level scopes
    final String ownerThreadName;
    /** The thread that opened a top-level scope (null if a tasklet did: see {@link #owner}). */
    private final Thread openerThread;
    /**
     * The innermost scope still open on the opening thread when this one was opened, or null: cancelling
     * it cancels this one. Closing it does not (a scope closed before one opened after it just stops
     * being its parent).
     */
    final ScopeCore enclosing;
    /** Open scopes whose {@link #enclosing} this is; lazily created. */
    @SuppressWarnings("unused") // accessed through NESTED
    private volatile Set<ScopeCore> nested;

    final int maxConcurrency; // 0 = unlimited
    final Duration deadline; // null = none
    private final Semaphore permits;
    private final SupervisionHandler handler;
    private final RestartPolicy restartPolicy;
    /** How long close() waits before it reports the children that still run; then at doubling pauses. */
    private final long closeWarningNanos;

    final ChildList children = new ChildList();
    private volatile boolean cancelled;
    private volatile boolean deadlinePassed;
    private volatile boolean closed;
    private Future<?> deadlineTimer;
    private volatile long closeStartedNanos;
    /** When the next report of a stuck close is due (System.nanoTime); CAS so one closer reports it. */
    @SuppressWarnings("unused") // accessed through NEXT_STUCK_REPORT
    private volatile long nextStuckReport;

    private volatile int stuckReports;

    private final AtomicReference<TaskletImpl<?>> firstFailed = new AtomicReference<>();
    private final ConcurrentLinkedQueue<Throwable> laterFailures = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Object> winner = new AtomicReference<>(NO_WINNER);
    private volatile boolean anyForked;
    final LongAdder failures = new LongAdder();
    final LongAdder restarts = new LongAdder();

    ScopeCore(
            String name,
            Policy policy,
            TaskletImpl<?> owner,
            Thread openerThread,
            ScopeCore enclosing,
            int maxConcurrency,
            Duration deadline,
            SupervisionHandler handler,
            RestartPolicy restartPolicy,
            long closeWarningNanos) {
        this.name = name;
        this.policy = policy;
        this.owner = owner;
        this.openerThread = openerThread;
        this.enclosing = enclosing;
        this.ownerThreadName = Thread.currentThread().getName();
        this.maxConcurrency = maxConcurrency;
        this.deadline = deadline;
        this.permits = maxConcurrency > 0 ? new Semaphore(maxConcurrency) : null;
        this.handler = handler;
        this.restartPolicy = restartPolicy;
        this.closeWarningNanos = closeWarningNanos;
    }

    /**
     * Opens a scope owned by the calling tasklet, or a top-level one when the caller is not a tasklet.
     * Unless {@code standalone}, it is nested in the innermost scope still open on the calling thread and
     * becomes that thread's innermost scope; a standalone scope (one that outlives the code that opens
     * it: a server's, a queue's) does neither.
     */
    static ScopeCore open(
            String name,
            Policy policy,
            int maxConcurrency,
            Duration deadline,
            SupervisionHandler handler,
            RestartPolicy restartPolicy,
            Duration closeWarning,
            boolean standalone) {
        Objects.requireNonNull(name, "scope name");
        TaskletImpl<?> owner = WaitHints.current();
        Thread opener = owner == null ? Thread.currentThread() : null;
        ScopeCore enclosing = standalone
                ? null
                : nearestOpen(owner != null ? owner.innermostScope() : INNERMOST_ON_PLAIN_THREADS.get(opener));
        ScopeCore s = new ScopeCore(
                name,
                policy,
                owner,
                opener,
                enclosing,
                maxConcurrency,
                deadline,
                handler,
                restartPolicy,
                saturatedNanos(closeWarning));
        if (owner != null) {
            owner.addOwnedScope(s);
            if (!standalone) {
                owner.innermostScope(s);
            }
        } else {
            TOP_LEVEL.add(s);
            if (!standalone) {
                INNERMOST_ON_PLAIN_THREADS.put(opener, s);
            }
        }
        if (enclosing != null) {
            enclosing.addNested(s);
        }
        if (deadline != null) {
            s.deadlineTimer = DEADLINES.schedule(s::deadlinePassed, deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
        return s;
    }

    <T> Tasklet<T> fork(String childName, Callable<? extends T> task) {
        Objects.requireNonNull(childName, "tasklet name");
        Objects.requireNonNull(task, "task");
        if (closed) {
            throw new IllegalStateException("scope '" + name + "' is closed; cannot fork '" + childName + "'");
        }
        if (permits != null) {
            Object previous = WaitHints.mark(this);
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException(
                        "fork of '" + childName + "' was interrupted while waiting for one of the " + maxConcurrency
                                + " concurrency permits of scope '" + name + "'");
            } finally {
                WaitHints.restore(previous);
            }
        }
        TaskletImpl<T> t = new TaskletImpl<>(this, childName, task);
        if (!anyForked) {
            anyForked = true;
        }
        if (cancelled) {
            t.cancelUnstarted();
            if (permits != null) {
                permits.release();
            }
            return t;
        }
        children.add(t);
        WaitHints.LIVE.increment();
        if (cancelled) {
            t.cancel(); // cancel() raced with us and may not have seen the new child
        }
        try {
            t.start();
        } catch (Throwable e) {
            WaitHints.LIVE.decrement();
            children.remove(t);
            if (permits != null) {
                permits.release();
            }
            throw e;
        }
        return t;
    }

    /** Called on the child's thread as its last act. */
    void childEnded(TaskletImpl<?> child) {
        switch (policy) {
            case FAIL_FAST -> {
                if (child.rawState() == TaskletImpl.FAILED) {
                    recordFailure(child);
                    cancel();
                }
            }
            case FIRST_SUCCESS -> {
                if (child.rawState() == TaskletImpl.DONE) {
                    if (winner.compareAndSet(NO_WINNER, child)) {
                        cancel();
                    }
                } else if (child.rawState() == TaskletImpl.FAILED) {
                    recordFailure(child);
                }
            }
            case ROOT -> {
                if (child.rawState() == TaskletImpl.FAILED) {
                    LOG.warn("tasklet '{}' (id {}) failed", child.name, child.id, child.failure());
                }
            }
            case SUPERVISE -> {
                /* counted and reported in onFailure, on the child's thread */
            }
        }
        WaitHints.LIVE.decrement();
        children.remove(child);
        if (permits != null) {
            permits.release();
        }
    }

    private void recordFailure(TaskletImpl<?> child) {
        failures.increment();
        if (!firstFailed.compareAndSet(null, child)) {
            laterFailures.add(child.failure());
        }
    }

    /**
     * A child's task threw. Returns the pause before restarting it, or null to let it fail.
     * Called on the child's thread.
     */
    Duration onFailure(TaskletImpl<?> child, Throwable failure) {
        if (policy != Policy.SUPERVISE) {
            return null;
        }
        failures.increment();
        boolean restart = restartPolicy != null
                && failure instanceof Exception
                && !cancelled
                && !child.isCancelling()
                && child.admitRestart(
                        restartPolicy.maxRestarts(), restartPolicy.window().toNanos());
        if (handler != null) {
            try {
                handler.onFailure(child, failure, restart);
            } catch (Throwable e) {
                LOG.error("supervision handler of scope '{}' threw on the failure of '{}'", name, child.name, e);
            }
        } else {
            LOG.warn(
                    "tasklet '{}' in supervising scope '{}' failed{}",
                    child.name,
                    name,
                    restart ? "; restarting" : "; not restarting",
                    failure);
        }
        if (!restart) {
            return null;
        }
        restarts.increment();
        return restartPolicy.backoffFor(child.restarts);
    }

    /**
     * Cancels every live child (and so their subtrees) and every scope nested in this one; later forks
     * return cancelled tasklets.
     */
    void cancel() {
        cancelChildren();
        Set<ScopeCore> n = nested;
        if (n != null) {
            for (ScopeCore s : n) {
                s.cancel();
            }
        }
    }

    private void cancelChildren() {
        cancelled = true;
        for (TaskletImpl<?> c = children.head(); c != null; c = c.nextSibling) {
            if (!c.detached) {
                c.cancel();
            }
        }
    }

    /** {@code s} was opened on our thread while we were its innermost open scope. */
    private void addNested(ScopeCore s) {
        Set<ScopeCore> n = nested;
        if (n == null) {
            Set<ScopeCore> fresh = ConcurrentHashMap.newKeySet();
            n = NESTED.compareAndSet(this, (Set<?>) null, fresh) ? fresh : nested;
        }
        n.add(s);
        if (cancelled && !closed) {
            s.cancel(); // a cancel that ran before the add may have missed it (cancelled is set first)
        }
    }

    /** The first of {@code s}, its enclosing scope, that one's..., that is not closed; null if none. */
    static ScopeCore nearestOpen(ScopeCore s) {
        while (s != null && s.closed) {
            s = s.enclosing;
        }
        return s;
    }

    boolean isCancelled() {
        return cancelled;
    }

    private void deadlinePassed() {
        deadlinePassed = true;
        cancel();
    }

    /**
     * Waits until no child is left. A child stops being counted just before it is marked detached, so
     * when the count is zero every child has left its task; each one still marked live is joined.
     */
    void awaitChildren() throws InterruptedException {
        while (!children.isEmpty()) {
            for (TaskletImpl<?> c = children.head(); c != null; c = c.nextSibling) {
                if (!c.detached) {
                    c.thread().join();
                }
            }
        }
    }

    /**
     * True if the calling thread is a tasklet of this scope's subtree: a child, or a tasklet below a
     * scope that one of them (or a tasklet below) opened. Walks up from the caller: its scope, that
     * scope's owner, and so on.
     */
    boolean isCallerInside() {
        for (TaskletImpl<?> t = WaitHints.current(); t != null; t = t.scope.owner) {
            if (t.scope == this) {
                return true;
            }
        }
        return false;
    }

    /** Refuses a wait for this scope's children from one of them, which would never end. */
    void checkNotInside(String what) {
        if (isCallerInside()) {
            throw new IllegalStateException("scope '" + name + "' cannot be " + what + " from its own tasklet '"
                    + Thread.currentThread().getName() + "': that waits for every tasklet of the scope, this one"
                    + " included, so it would never return; cancel() does not wait, or wait from the thread"
                    + " that opened the scope");
        }
    }

    /** Applies the policy after every child ended: the part of {@code join()} shared by the scope kinds. */
    void throwIfFailed() {
        if (deadlinePassed && winner.get() == NO_WINNER) {
            throw new DeadlineExceededException(name, deadline);
        }
        TaskletImpl<?> first = firstFailed.get();
        if (first != null && (policy == Policy.FAIL_FAST || winner.get() == NO_WINNER)) {
            TaskletFailedException e = new TaskletFailedException(first.name, first.failure());
            for (Throwable later : laterFailures) {
                e.addSuppressed(later);
            }
            throw e;
        }
    }

    /** For first-success scopes: the winning result, once every child ended. */
    Object winnerValue() {
        Object w = winner.get();
        if (w == NO_WINNER) {
            if (!anyForked) {
                throw new IllegalStateException("scope '" + name + "' has no result: no tasklet was forked");
            }
            throw new CancellationException("scope '" + name + "' has no result: every tasklet was cancelled");
        }
        return ((TaskletImpl<?>) w).result();
    }

    /**
     * Cancels what still runs, waits for it (even if interrupted; the interrupt is kept), and unregisters
     * the scope. Waits at most {@code timeoutNanos} when it is {@code >= 0}: false if children still run
     * then (the scope stays registered, and a later close goes on waiting). Every closer waits, not only
     * the first. While it waits, a child that ignores its cancellation is reported at WARN with its
     * stack, after {@code closeWarningNanos} and then at doubling pauses.
     */
    boolean close(long timeoutNanos) {
        checkNotInside("closed");
        if (!closed) {
            closed = true;
            long now = System.nanoTime();
            closeStartedNanos = now;
            NEXT_STUCK_REPORT.setVolatile(this, now + closeWarningNanos);
            if (!children.isEmpty()) {
                cancelChildren(); // not the nested scopes: closing is not cancelling them (see enclosing)
            }
        }
        if (!awaitClosing(timeoutNanos)) {
            return false;
        }
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (enclosing != null) {
            enclosing.removeNested(this);
        }
        // If this is still its thread's innermost open scope, the next one out takes over.
        ScopeCore next = nearestOpen(enclosing);
        if (owner != null) {
            owner.removeOwnedScope(this);
            owner.replaceInnermostScope(this, next);
        } else {
            TOP_LEVEL.remove(this);
            INNERMOST_ON_PLAIN_THREADS.computeIfPresent(
                    openerThread, (t, innermost) -> innermost == this ? next : innermost);
        }
        return true;
    }

    private void removeNested(ScopeCore s) {
        Set<ScopeCore> n = nested;
        if (n != null) {
            n.remove(s);
        }
    }

    /** Joins the children (timed: a report may fall due), ignoring interrupts until done or timed out. */
    private boolean awaitClosing(long timeoutNanos) {
        long start = System.nanoTime();
        boolean interrupted = false;
        try {
            while (!children.isEmpty()) {
                long now = System.nanoTime();
                long left = timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos - (now - start);
                if (left <= 0) {
                    return false;
                }
                reportIfStuck(now);
                long wait = Math.min(left, Math.max(1, (long) NEXT_STUCK_REPORT.getVolatile(this) - now));
                TaskletImpl<?> c = firstLive();
                if (c == null) {
                    Thread.onSpinWait(); // counted but not linked yet: its fork is between the two steps
                    continue;
                }
                try {
                    c.thread().join(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private TaskletImpl<?> firstLive() {
        for (TaskletImpl<?> c = children.head(); c != null; c = c.nextSibling) {
            if (!c.detached) {
                return c;
            }
        }
        return null;
    }

    /**
     * If a report is due, one closer (the one whose CAS moves the due time on) logs the children that
     * still run, with their stacks. Pauses double from {@code closeWarningNanos} up to
     * {@link #STUCK_REPORT_MAX_NANOS}, so a close stuck for hours logs a line every few minutes, not a flood.
     */
    private void reportIfStuck(long now) {
        long due = (long) NEXT_STUCK_REPORT.getVolatile(this);
        if (now - due < 0) {
            return;
        }
        int n = stuckReports;
        long pause = closeWarningNanos;
        for (int i = 0; i < n + 1 && pause < STUCK_REPORT_MAX_NANOS; i++) {
            pause *= 2;
        }
        pause = Math.min(pause, STUCK_REPORT_MAX_NANOS);
        if (!NEXT_STUCK_REPORT.compareAndSet(this, due, now + pause)) {
            return;
        }
        stuckReports = n + 1;
        LOG.warn("{}", stuckReport(now, pause));
    }

    private String stuckReport(long now, long nextPause) {
        List<TaskletImpl<?>> stuck = children.snapshot();
        StringBuilder b = new StringBuilder(256 * Math.min(stuck.size(), STUCK_REPORT_MAX_TASKLETS));
        b.append("scope '")
                .append(name)
                .append("' has been closing for ")
                .append(millis(now - closeStartedNanos))
                .append(": ")
                .append(stuck.size())
                .append(stuck.size() == 1 ? " tasklet" : " tasklets")
                .append(" still running though cancelled (interrupt ignored or swallowed?); next report in ")
                .append(millis(nextPause));
        int shown = 0;
        for (TaskletImpl<?> t : stuck) {
            if (shown++ == STUCK_REPORT_MAX_TASKLETS) {
                b.append("\n  ... and ")
                        .append(stuck.size() - STUCK_REPORT_MAX_TASKLETS)
                        .append(" more");
                break;
            }
            Object waiting = t.waitingOn;
            b.append("\n  tasklet '").append(t.name).append("' (id ").append(t.id);
            if (waiting != null) {
                b.append(", waiting on ").append(waiting);
            }
            b.append(')');
            StackTraceElement[] stack = t.thread().getStackTrace();
            for (int i = 0; i < stack.length && i < STUCK_REPORT_MAX_FRAMES; i++) {
                b.append("\n    at ").append(stack[i]);
            }
            if (stack.length > STUCK_REPORT_MAX_FRAMES) {
                b.append("\n    ... ")
                        .append(stack.length - STUCK_REPORT_MAX_FRAMES)
                        .append(" more frames");
            }
        }
        return b.toString();
    }

    /** {@code d} in nanoseconds, at most a quarter of the long range (73 years), so deadline sums cannot overflow. */
    private static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE / 4)) > 0 ? Long.MAX_VALUE / 4 : d.toNanos();
    }

    private static String millis(long nanos) {
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        return ms < 10_000 ? ms + " ms" : ms / 1000 + " s";
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "scope '" + name + "'" + (maxConcurrency > 0 ? " (concurrency limit " + maxConcurrency + ")" : "");
    }

    private static ScheduledThreadPoolExecutor newDeadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warren-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
