package dev.warren.tasklets;

import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one implementation of {@link Tasklet}: a virtual thread, its state machine and its result.
 *
 * <p>Internal states add {@code CANCELLING} (cancel requested, thread still running; reported as
 * {@code RUNNING}) to the public ones. The terminal state is written by the tasklet's own thread before
 * it leaves {@link #run()}; {@link #join()} waits for the thread itself to terminate, so a joiner never
 * sees a tasklet that still runs code.
 */
final class TaskletImpl<T> implements Tasklet<T>, Thread.UncaughtExceptionHandler {
    static final int NEW = 0, RUNNING = 1, CANCELLING = 2, DONE = 3, FAILED = 4, CANCELLED = 5;

    private static final AtomicLong IDS = new AtomicLong();
    private static final ThreadFactory THREADS =
            Thread.ofVirtual().inheritInheritableThreadLocals(false).factory();
    private static final VarHandle STATE;
    private static final VarHandle OWNED;
    private static final VarHandle INNERMOST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(TaskletImpl.class, "state", int.class);
            OWNED = l.findVarHandle(TaskletImpl.class, "ownedScopes", Set.class);
            INNERMOST = l.findVarHandle(TaskletImpl.class, "innermostScope", ScopeCore.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final String name;
    final ScopeCore scope;
    final long startNanos;
    private final Callable<? extends T> task;
    private final Thread thread;

    private volatile int state;
    private T value; // published by the volatile write of state
    private Throwable failure; // likewise
    volatile Object waitingOn; // what a blocking primitive said we park on; null = unknown
    volatile TaskletImpl<?> nextSibling; // the scope's ChildList link
    volatile boolean detached; // set once the scope stopped counting this child as live
    volatile int restarts;
    private volatile Set<ScopeCore> ownedScopes; // standalone scopes opened on this thread; lazily created
    // The innermost of the other scopes open on this thread (null if none); see ScopeCore.enclosing.
    // It fills what was padding: a tasklet is 88 bytes with it or without it.
    private volatile ScopeCore innermostScope;
    private long[] restartTimes; // ring of restart instants (nanoTime), own thread only
    private Fairness.Budget budget; // this tasklet's fair-turn account, made on first use; own thread only
    private int restartIndex;

    TaskletImpl(ScopeCore scope, String name, Callable<? extends T> task) {
        this.id = IDS.incrementAndGet();
        this.name = name;
        this.scope = scope;
        this.task = task;
        this.startNanos = System.nanoTime();
        this.thread = THREADS.newThread(this::run);
        thread.setName(name);
        // The handler doubles as the thread -> tasklet link (see WaitHints); run() catches everything,
        // so it is called only if our own bookkeeping throws.
        thread.setUncaughtExceptionHandler(this);
    }

    /** Marks a tasklet that will never run as cancelled (forked into a cancelled scope). */
    void cancelUnstarted() {
        STATE.setVolatile(this, CANCELLED);
    }

    void start() {
        if (RuntimeMetrics.ON) {
            RuntimeMetrics.STARTED.increment();
        }
        thread.start();
    }

    Thread thread() {
        return thread;
    }

    int rawState() {
        return state;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TaskletState state() {
        return switch (state) {
            case NEW -> TaskletState.NEW;
            case RUNNING, CANCELLING -> TaskletState.RUNNING;
            case DONE -> TaskletState.DONE;
            case FAILED -> TaskletState.FAILED;
            default -> TaskletState.CANCELLED;
        };
    }

    boolean isCancelling() {
        return state == CANCELLING;
    }

    Throwable failure() {
        return state == FAILED ? failure : null;
    }

    @Override
    public T join() throws InterruptedException {
        checkNotSelf();
        thread.join();
        return report();
    }

    @Override
    public T join(Duration timeout) throws InterruptedException, TimeoutException {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, was " + timeout);
        }
        checkNotSelf();
        if (thread.getState() != Thread.State.NEW && !thread.join(timeout)) {
            throw new TimeoutException("tasklet '" + name + "' did not finish within " + timeout.toMillis() + " ms");
        }
        return report();
    }

    @Override
    public T result() {
        if (!state().isTerminal()) {
            throw new IllegalStateException("tasklet '" + name + "' has not finished (state " + state() + ")");
        }
        return report();
    }

    private T report() {
        return switch (state) {
            case DONE -> value;
            case FAILED -> throw new TaskletFailedException(name, failure);
            case CANCELLED -> throw new CancellationException("tasklet '" + name + "' was cancelled");
            default ->
                throw new IllegalStateException("tasklet '" + name + "' has not finished (state " + state() + ")");
        };
    }

    private void checkNotSelf() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("tasklet '" + name + "' cannot join itself");
        }
    }

    @Override
    public boolean cancel() {
        for (; ; ) {
            int s = state;
            if (s == NEW) {
                if (STATE.compareAndSet(this, NEW, CANCELLED)) {
                    return true; // run() sees it was never RUNNING and returns at once
                }
            } else if (s == RUNNING) {
                if (STATE.compareAndSet(this, RUNNING, CANCELLING)) {
                    thread.interrupt();
                    cancelOwnedScopes();
                    return true;
                }
            } else {
                return false;
            }
        }
    }

    private void cancelOwnedScopes() {
        // Each scope open on our thread, from the innermost outwards; together they are all nested ones.
        for (ScopeCore s = innermostScope; s != null; s = s.enclosing) {
            s.cancelOwn();
        }
        Set<ScopeCore> owned = ownedScopes;
        if (owned != null) {
            for (ScopeCore s : owned) {
                s.cancel();
            }
        }
    }

    void addOwnedScope(ScopeCore s) {
        Set<ScopeCore> owned = ownedScopes;
        if (owned == null) {
            Set<ScopeCore> fresh = ConcurrentHashMap.newKeySet();
            owned = OWNED.compareAndSet(this, (Set<?>) null, fresh) ? fresh : ownedScopes;
        }
        owned.add(s);
        if (state == CANCELLING) {
            s.cancel(); // opened by a tasklet that is being cancelled: the new subtree stops too
        }
    }

    void removeOwnedScope(ScopeCore s) {
        Set<ScopeCore> owned = ownedScopes;
        if (owned != null) {
            owned.remove(s);
        }
    }

    Set<ScopeCore> ownedScopesOrNull() {
        return ownedScopes;
    }

    ScopeCore innermostScope() {
        return innermostScope;
    }

    /** Called on this tasklet's own thread as it opens {@code s}, under the thread's nesting lock. */
    void innermostScope(ScopeCore s) {
        innermostScope = s;
    }

    /** Called on this tasklet's own thread as it opens {@code s}: true if no other scope was open. */
    boolean innermostScopeIfNone(ScopeCore s) {
        return INNERMOST.compareAndSet(this, (ScopeCore) null, s);
    }

    /** Called by whoever closes {@code closed}: the next one out takes over if it was the innermost. */
    void replaceInnermostScope(ScopeCore closed, ScopeCore next) {
        INNERMOST.compareAndSet(this, closed, next);
    }

    private void run() {
        try {
            if (STATE.compareAndSet(this, NEW, RUNNING)) {
                int outcome = execute();
                if (!STATE.compareAndSet(this, RUNNING, outcome)) {
                    // Cancelled meanwhile: a result nobody wants any more is a cancel, but a failure that
                    // happened stays a failure (a fail-fast scope reports it as suppressed).
                    STATE.setVolatile(this, outcome == DONE ? CANCELLED : outcome);
                }
            }
        } finally {
            Watchdog.ended(this);
            if (RuntimeMetrics.ON) {
                RuntimeMetrics.ended(state);
            }
            Fairness.Budget b = budget;
            if (b != null && b.holds) {
                FairGate.INSTANCE.leave(b); // a place among the busy tasklets is not taken to the grave
            }
            scope.childEnded(this);
        }
    }

    /** This tasklet's fairness budget; called on its own thread only. */
    Fairness.Budget budget() {
        Fairness.Budget b = budget;
        if (b == null) {
            b = budget = new Fairness.Budget(thread);
        }
        return b;
    }

    /** Starts a new fair turn, if this tasklet keeps an account at all; own thread only. */
    void waitedIfBudgeted() {
        Fairness.Budget b = budget;
        if (b != null) {
            b.waited();
        }
    }

    /** Runs the task, restarting it while the scope's supervision says so. Returns the outcome state. */
    @SuppressWarnings("NonAtomicVolatileUpdate") // restarts has one writer, this thread; readers only read
    private int execute() {
        for (; ; ) {
            try {
                value = task.call();
                return DONE;
            } catch (Throwable thrown) {
                if (state == CANCELLING && causedByCancel(thrown)) {
                    return CANCELLED;
                }
                Throwable t = thrown;
                Heartbeat hung = Watchdog.takeHung(this);
                if (hung != null) {
                    // The watchdog interrupted a hung task: a failure to restart from, not a cancel. The
                    // interrupt is spent here, or it would cut the backoff short.
                    Thread.interrupted();
                    t = new WatchdogTimeoutException(
                            "heartbeat '" + hung.name() + "' of tasklet '" + name + "' was overdue", thrown);
                }
                Duration pause = scope.onFailure(this, t);
                if (pause == null) {
                    if (hung != null) {
                        Watchdog.gaveUp(this, hung);
                    }
                    failure = t;
                    return FAILED;
                }
                if (hung != null) {
                    Watchdog.restarting(this, hung, pause);
                }
                restarts++;
                Object previous = WaitHints.mark("restart backoff");
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    return CANCELLED;
                } finally {
                    WaitHints.restore(previous);
                }
                if (state == CANCELLING) {
                    return CANCELLED;
                }
            }
        }
    }

    /**
     * Whether {@code t}, thrown after this tasklet's cancellation was requested, is how the task stopped
     * because of it: an interruption somewhere in its causes ({@link InterruptedException}, an
     * interrupted I/O call, a channel closed by the interrupt), a {@link CancellationException} (a
     * cancelled tasklet or scope it waited for), or a {@link SocketException} while the interrupt is
     * still pending (an interrupted virtual thread's socket closes itself and throws one). Anything else
     * is a failure of its own that happened to race with the cancel.
     */
    private static boolean causedByCancel(Throwable t) {
        boolean interruptPending = Thread.currentThread().isInterrupted();
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof InterruptedException
                    || c instanceof InterruptedIOException
                    || c instanceof ClosedByInterruptException
                    || c instanceof CancellationException
                    || (interruptPending && c instanceof SocketException)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records a restart now and says whether the rate limit still allows it: at most {@code max}
     * restarts within {@code windowNanos}. Called on the tasklet's own thread only.
     */
    boolean admitRestart(int max, long windowNanos) {
        if (max == 0) {
            return false;
        }
        long now = System.nanoTime();
        if (restartTimes == null) {
            restartTimes = new long[max];
        }
        // The ring holds the last `max` restart times; the oldest is at restartIndex once it is full.
        if (restarts >= max && now - restartTimes[restartIndex] < windowNanos) {
            return false;
        }
        restartTimes[restartIndex] = now;
        restartIndex = (restartIndex + 1) % max;
        return true;
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        org.slf4j.LoggerFactory.getLogger(TaskletImpl.class)
                .error("bug: tasklet '{}' escaped its bookkeeping", name, e);
    }

    /** Spreads the sequential ids; cheaper than an identity hash, which writes the object header. */
    @Override
    public int hashCode() {
        return Long.hashCode(id * 0x9E3779B97F4A7C15L);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public String toString() {
        return "Tasklet[" + id + " '" + name + "' " + state() + "]";
    }
}
