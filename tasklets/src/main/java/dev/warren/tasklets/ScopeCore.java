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
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link TaskletScope} and {@link FirstSuccessScope}: the set of live children,
 * the policy applied when a child ends, cancellation, deadline and concurrency limit.
 *
 * <p>Children are kept in a {@link ChildList} that each child leaves on its own thread as its last act;
 * {@link #awaitChildren} joins the threads of whatever is still in it until it is empty.
 *
 * <p>The scopes open on one thread (standalone ones aside) form a doubly linked list: the thread's
 * innermost scope ({@link TaskletImpl#innermostScope()} for a tasklet, {@link #INNERMOST_ON_PLAIN_THREADS}
 * otherwise), then {@link #enclosing} outwards and {@code nested} back in. A cancel runs inwards along
 * it; a close unlinks the scope. The registry finds these scopes through the same links, so a scope
 * opened where no other is open costs no set insert, and no lock.
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

    private static final VarHandle FINISHED;
    private static final VarHandle STUCK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FINISHED = l.findVarHandle(ScopeCore.class, "finished", boolean.class);
            STUCK = l.findVarHandle(ScopeCore.class, "stuck", StuckCloseReport.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The innermost open scope of each thread that is not a tasklet and has a (non-standalone) scope open;
     * the others of that thread are reached from it through {@link #enclosing}. A tasklet keeps its own in
     * {@link TaskletImpl#innermostScope()}. An entry lives exactly while its thread has such a scope open.
     */
    static final ConcurrentHashMap<Thread, ScopeCore> INNERMOST_ON_PLAIN_THREADS = new ConcurrentHashMap<>();

    /** Standalone scopes opened on threads that are not tasklets (a server started on {@code main}...). */
    static final Set<ScopeCore> TOP_LEVEL = ConcurrentHashMap.newKeySet();

    /**
     * Guard the links between the scopes open on one thread ({@link #enclosing}, {@link #nested} and the
     * thread's innermost scope) wherever they are not the trivial case; striped by thread, so threads
     * that nest scopes do not contend.
     */
    private static final ReentrantLock[] NESTING_LOCKS = new ReentrantLock[64];

    static {
        for (int i = 0; i < NESTING_LOCKS.length; i++) {
            NESTING_LOCKS[i] = new ReentrantLock();
        }
    }

    /** The scope of tasklets started with {@link Tasklets#start}; it never closes. */
    static final ScopeCore ROOT = new ScopeCore("warren", Policy.ROOT, null, null, true, 0, null, null, null, null);

    static {
        // The registry is visible as the "tasklets" report from the first use of the runtime on.
        Reports.register("tasklets", () -> Tasklets.snapshot().toTree());
        RuntimeMetrics.register();
        SupervisorHeartbeat.startFromRuntime();
    }

    final String name;
    final Policy policy;
    final long openedNanos = System.nanoTime();
    final TaskletImpl<?> owner; // null for the root and for top-level scopes
    final String ownerThreadName;
    /** The thread that opened a top-level scope (null if a tasklet did: see {@link #owner}). */
    private final Thread openerThread;
    /** Not nested by thread: see {@link TaskletScope.Builder#standalone()}. */
    private final boolean standalone;
    /**
     * The next scope out among those open on the opening thread (null for the outermost, and for a
     * standalone scope): its cancel reaches this one. The open scopes of a thread form a list from its
     * innermost scope through these links outwards, and through {@link #nested} back. When a scope is
     * closed it is unlinked: its neighbours are joined and its {@code nested} cleared, but its
     * {@code enclosing} is kept, so a reader standing on it still reaches every scope further out. That
     * link only points at a scope that was open when this one closed, so nothing closed accumulates.
     */
    volatile ScopeCore enclosing;
    /** The next scope in on the opening thread (at most one: opening always nests in the innermost). */
    private volatile ScopeCore nested;
    /** A cancel (not a close) ran: it reaches the nested scopes, including one linked in afterwards. */
    private volatile boolean cascaded;

    final int maxConcurrency; // 0 = unlimited
    final Duration deadline; // null = none
    private final Semaphore permits;
    private final SupervisionHandler handler;
    private final RestartPolicy restartPolicy;
    /** How long close() waits before it reports the children that still run (null for the root). */
    private final Duration closeWarning;

    final ChildList children = new ChildList();
    private volatile boolean cancelled;
    private volatile boolean deadlinePassed;
    private volatile boolean closed;
    /** A closer found the children gone and unregisters the scope (once). */
    @SuppressWarnings("unused") // accessed through FINISHED
    private volatile boolean finished;

    private Future<?> deadlineTimer;
    /** Created by the first closer that has to wait for children; see {@link StuckCloseReport}. */
    @SuppressWarnings("unused") // accessed through STUCK
    private volatile StuckCloseReport stuck;

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
            boolean standalone,
            int maxConcurrency,
            Duration deadline,
            SupervisionHandler handler,
            RestartPolicy restartPolicy,
            Duration closeWarning) {
        this.name = name;
        this.policy = policy;
        this.owner = owner;
        this.openerThread = openerThread;
        this.standalone = standalone;
        this.ownerThreadName = Thread.currentThread().getName();
        this.maxConcurrency = maxConcurrency;
        this.deadline = deadline;
        this.permits = maxConcurrency > 0 ? new Semaphore(maxConcurrency) : null;
        this.handler = handler;
        this.restartPolicy = restartPolicy;
        this.closeWarning = closeWarning;
    }

    /**
     * Opens a scope owned by the calling tasklet, or a top-level one when the caller is not a tasklet.
     * Unless {@code standalone}, it is nested in the innermost scope still open on the calling thread and
     * becomes that thread's innermost scope; a standalone scope (one that outlives the code that opens
     * it: a server's, a queue's) does neither.
     *
     * <p>Cost: a scope opened where none is open (the usual case) takes one field write in a tasklet, one
     * map insert on another thread; only a scope opened inside another takes the thread's nesting lock.
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
        ScopeCore s = new ScopeCore(
                name,
                policy,
                owner,
                opener,
                standalone,
                maxConcurrency,
                deadline,
                handler,
                restartPolicy,
                closeWarning);
        if (standalone) {
            if (owner != null) {
                owner.addOwnedScope(s);
            } else {
                TOP_LEVEL.add(s);
            }
        } else {
            s.link();
        }
        if (deadline != null) {
            s.deadlineTimer =
                    DEADLINES.schedule(s::deadlinePassed, Durations.saturatedNanos(deadline), TimeUnit.NANOSECONDS);
        }
        return s;
    }

    /** The thread whose open scopes this one is listed with. */
    private Thread thread() {
        return owner != null ? owner.thread() : openerThread;
    }

    private static ReentrantLock nestingLock(Thread t) {
        return NESTING_LOCKS[System.identityHashCode(t) & (NESTING_LOCKS.length - 1)];
    }

    /** The innermost scope open on this scope's thread (null if none); under its nesting lock. */
    private ScopeCore innermostOfThread() {
        return owner != null ? owner.innermostScope() : INNERMOST_ON_PLAIN_THREADS.get(openerThread);
    }

    /** Makes this the innermost scope of its thread: called on that thread, as it opens this scope. */
    private void link() {
        boolean alone = owner != null
                ? owner.innermostScopeIfNone(this)
                : INNERMOST_ON_PLAIN_THREADS.putIfAbsent(openerThread, this) == null;
        boolean cancelNow = false;
        if (!alone) {
            ReentrantLock lock = nestingLock(thread());
            lock.lock();
            try {
                ScopeCore e = innermostOfThread(); // re-read: a closer on another thread may have changed it
                if (e != null) {
                    enclosing = e;
                    e.nested = this;
                    cancelNow = e.cascaded; // a cancel of e that ran before the link did not see us
                }
                if (owner != null) {
                    owner.innermostScope(this);
                } else {
                    INNERMOST_ON_PLAIN_THREADS.put(openerThread, this);
                }
            } finally {
                lock.unlock();
            }
        }
        if (cancelNow || (owner != null && owner.isCancelling())) {
            cancel(); // nested in a cancelled scope, or opened by a tasklet being cancelled
        }
    }

    /**
     * Takes this closed scope out of its thread's list, joining its neighbours. On the opening thread a
     * scope with no neighbour (the usual case) needs no lock: nobody else can link to it there.
     */
    private void unlink() {
        if (enclosing == null && nested == null && Thread.currentThread() == thread()) {
            if (owner != null) {
                owner.replaceInnermostScope(this, null);
            } else {
                INNERMOST_ON_PLAIN_THREADS.remove(openerThread, this);
            }
            return;
        }
        ScopeCore cascade = null;
        ReentrantLock lock = nestingLock(thread());
        lock.lock();
        try {
            ScopeCore out = enclosing;
            ScopeCore in = nested;
            if (in != null) {
                in.enclosing = out;
            } else if (owner != null) {
                owner.replaceInnermostScope(this, out);
            } else if (out != null) {
                INNERMOST_ON_PLAIN_THREADS.replace(openerThread, this, out);
            } else {
                INNERMOST_ON_PLAIN_THREADS.remove(openerThread, this);
            }
            if (out != null) {
                out.nested = in;
                if (in != null && out.cascaded) {
                    cascade = in; // out's cancel may have walked past us before the join
                }
            }
            nested = null;
        } finally {
            lock.unlock();
        }
        if (cascade != null) {
            cascade.cancel();
        }
    }

    /** Adds {@code s} and every scope further out from it to {@code out}. */
    static void addOutwards(ScopeCore s, List<ScopeCore> out) {
        for (; s != null; s = s.enclosing) {
            out.add(s);
        }
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

    /** Whether a child's failure may restart it: a supervising scope with a restart policy. */
    boolean restartsFailedChildren() {
        return policy == Policy.SUPERVISE && restartPolicy != null;
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
                && child.admitRestart(restartPolicy.maxRestarts(), Durations.saturatedNanos(restartPolicy.window()));
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
     * Cancels every live child (and so their subtrees) and every scope nested in this one by thread;
     * later forks return cancelled tasklets.
     */
    void cancel() {
        cancelOwn();
        ScopeCore in = nested;
        if (in != null) {
            in.cancel();
        }
    }

    /** Cancels this scope's children and marks it so that a scope linked in later is cancelled too. */
    void cancelOwn() {
        cascaded = true;
        cancelChildren();
    }

    private void cancelChildren() {
        cancelled = true;
        for (TaskletImpl<?> c = children.head(); c != null; c = c.nextSibling) {
            if (!c.detached) {
                c.cancel();
            }
        }
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
            throw TaskletScope.selfWaitRefused(
                    "scope '" + name + "'",
                    what,
                    "cancel() does not wait, or wait from the thread that opened the scope");
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
     * then (the scope stays registered, and a later close goes on waiting). Every closer from outside the
     * scope waits, not only the first. A closer inside the scope (one of its tasklets, or below one) is
     * refused while the scope is open, since it would wait for itself; once the scope is closing, it
     * returns false at once (its cleanup may close the scope too). While children ignore their
     * cancellation, a {@link StuckCloseReport} names them.
     */
    boolean close(long timeoutNanos) {
        if (isCallerInside()) {
            if (closed) {
                return false;
            }
            checkNotInside("closed");
        }
        if (!closed) {
            closed = true;
            if (!children.isEmpty()) {
                cancelChildren(); // not the nested scopes: closing is not cancelling them (see enclosing)
            }
        }
        if (!children.isEmpty() && stuck == null) {
            StuckCloseReport r = new StuckCloseReport();
            if (STUCK.compareAndSet(this, (StuckCloseReport) null, r)) {
                r.start();
            }
        }
        if (!awaitClosing(timeoutNanos)) {
            return false;
        }
        StuckCloseReport r = stuck;
        if (r != null) {
            r.stop();
        }
        if (FINISHED.compareAndSet(this, false, true)) {
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            if (!standalone) {
                unlink();
            } else if (owner != null) {
                owner.removeOwnedScope(this);
            } else {
                TOP_LEVEL.remove(this);
            }
        }
        return true;
    }

    /**
     * Waits until no child is left, ignoring interrupts (the interrupt is kept): joins untimed, or timed
     * when {@code timeoutNanos >= 0}, and then returns false if children still run after it.
     */
    private boolean awaitClosing(long timeoutNanos) {
        if (children.isEmpty()) {
            return true;
        }
        long start = timeoutNanos < 0 ? 0 : System.nanoTime();
        boolean interrupted = false;
        Object previous = WaitHints.mark(this); // the registry shows a closing tasklet waiting on the scope
        try {
            while (!children.isEmpty()) {
                for (TaskletImpl<?> c = children.head(); c != null; c = c.nextSibling) {
                    if (c.detached) {
                        continue;
                    }
                    try {
                        if (timeoutNanos < 0) {
                            c.thread().join();
                        } else {
                            long left = timeoutNanos - (System.nanoTime() - start);
                            if (left <= 0 || !c.thread().join(Duration.ofNanos(left))) {
                                return false;
                            }
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return true;
        } finally {
            WaitHints.restore(previous);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reports a close that cannot finish: a task on the deadline timer, armed by the first closer that
     * finds children still running, which logs at WARN each child still running, with its stack, once
     * the close has waited the scope's close warning time W, then when it has waited 2W, 4W, 8W... (at
     * most {@link #STUCK_REPORT_MAX_NANOS} between two reports), for as long as the children run. A close
     * that finishes stops it; a bounded close that gives up leaves it running, since the children still
     * do. Exists only for closes that wait, so an ordinary scope carries one null field for it.
     */
    private final class StuckCloseReport implements Runnable {
        private final long startedNanos = System.nanoTime();
        private long pauseNanos; // the next pause; touched by the timer thread only, after start()
        private volatile Future<?> next;
        private volatile boolean stopped;

        void start() {
            Duration w = closeWarning == null ? TaskletScope.DEFAULT_CLOSE_WARNING : closeWarning;
            pauseNanos = Durations.saturatedNanos(w);
            schedule(pauseNanos);
        }

        private void schedule(long delayNanos) {
            next = DEADLINES.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
            if (stopped) {
                next.cancel(false); // stop() ran before the future was published
            }
        }

        void stop() {
            stopped = true;
            Future<?> f = next;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public void run() {
            if (stopped || children.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            long pause = Math.min(pauseNanos, STUCK_REPORT_MAX_NANOS);
            pauseNanos = Math.min(pause * 2, STUCK_REPORT_MAX_NANOS);
            try {
                LOG.warn("{}", text(now, pause));
            } finally {
                schedule(pause);
            }
        }

        private String text(long now, long nextPause) {
            List<TaskletImpl<?>> running = children.snapshot();
            StringBuilder b = new StringBuilder(256 * Math.min(running.size() + 1, STUCK_REPORT_MAX_TASKLETS));
            b.append("scope '")
                    .append(name)
                    .append("' has been closing for ")
                    .append(millis(now - startedNanos))
                    .append(": ")
                    .append(running.size())
                    .append(running.size() == 1 ? " tasklet" : " tasklets")
                    .append(" still running though cancelled (interrupt ignored or swallowed?); next report in ")
                    .append(millis(nextPause));
            int shown = 0;
            for (TaskletImpl<?> t : running) {
                if (shown++ == STUCK_REPORT_MAX_TASKLETS) {
                    b.append("\n  ... and ")
                            .append(running.size() - STUCK_REPORT_MAX_TASKLETS)
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
