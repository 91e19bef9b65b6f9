package dev.warren.tasklets;

import dev.warren.tasklets.observe.Reports;
import java.time.Duration;
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
    private static final ScheduledThreadPoolExecutor DEADLINES = newDeadlineTimer();

    /** Scopes opened on threads that are not tasklets (a main thread, a test thread...). */
    static final Set<ScopeCore> TOP_LEVEL = ConcurrentHashMap.newKeySet();
    /** The scope of tasklets started with {@link Tasklets#start}; it never closes. */
    static final ScopeCore ROOT = new ScopeCore("warren", Policy.ROOT, null, 0, null, null, null);

    static {
        // The registry is visible as the "tasklets" report from the first use of the runtime on.
        Reports.register("tasklets", () -> Tasklets.snapshot().toTree());
    }

    final String name;
    final Policy policy;
    final long openedNanos = System.nanoTime();
    final TaskletImpl<?> owner; // null for the root and for top-level scopes
    final String ownerThreadName;
    final int maxConcurrency; // 0 = unlimited
    final Duration deadline; // null = none
    private final Semaphore permits;
    private final SupervisionHandler handler;
    private final RestartPolicy restartPolicy;

    final ChildList children = new ChildList();
    private volatile boolean cancelled;
    private volatile boolean deadlinePassed;
    private volatile boolean closed;
    private Future<?> deadlineTimer;

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
            int maxConcurrency,
            Duration deadline,
            SupervisionHandler handler,
            RestartPolicy restartPolicy) {
        this.name = name;
        this.policy = policy;
        this.owner = owner;
        this.ownerThreadName = Thread.currentThread().getName();
        this.maxConcurrency = maxConcurrency;
        this.deadline = deadline;
        this.permits = maxConcurrency > 0 ? new Semaphore(maxConcurrency) : null;
        this.handler = handler;
        this.restartPolicy = restartPolicy;
    }

    /** Opens a scope owned by the calling tasklet, or a top-level one when the caller is not a tasklet. */
    static ScopeCore open(
            String name,
            Policy policy,
            int maxConcurrency,
            Duration deadline,
            SupervisionHandler handler,
            RestartPolicy restartPolicy) {
        Objects.requireNonNull(name, "scope name");
        TaskletImpl<?> owner = WaitHints.current();
        ScopeCore s = new ScopeCore(name, policy, owner, maxConcurrency, deadline, handler, restartPolicy);
        if (owner != null) {
            owner.addOwnedScope(s);
        } else {
            TOP_LEVEL.add(s);
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

    /** Cancels every live child (and so their subtrees); later forks return cancelled tasklets. */
    void cancel() {
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

    /** Cancels what still runs, waits for it (even if interrupted), and unregisters the scope. */
    void close() {
        checkNotInside("closed");
        if (closed) {
            return;
        }
        closed = true;
        if (!children.isEmpty()) {
            cancel();
        }
        boolean interrupted = false;
        for (; ; ) {
            try {
                awaitChildren();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (owner != null) {
            owner.removeOwnedScope(this);
        } else {
            TOP_LEVEL.remove(this);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
