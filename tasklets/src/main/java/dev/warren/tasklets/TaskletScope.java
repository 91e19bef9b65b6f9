package dev.warren.tasklets;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Structured concurrency: a block of code that forks tasklets and does not end before they do.
 *
 * <pre>{@code
 * try (var scope = TaskletScope.failFast("checkout").deadline(Duration.ofSeconds(2)).open()) {
 *     Tasklet<User> user = scope.fork("user", () -> users.load(id));
 *     Tasklet<Cart> cart = scope.fork("cart", () -> carts.load(id));
 *     scope.join();                 // throws the first failure; the other fork was cancelled
 *     return render(user.result(), cart.result());
 * }                                 // close(): nothing forked here is still running after this line
 * }</pre>
 *
 * <p><b>Policies.</b>
 * <ul>
 *   <li>{@link #failFast} — the first child that fails cancels all the others; {@link #join()} throws
 *       {@link TaskletFailedException} with that failure as the cause and every later one suppressed.
 *       A sibling that fails on its own while the cancel reaches it (not because of it) is such a later
 *       failure, not a cancelled tasklet: a failure that happened is never turned into a cancel. Those
 *       that stopped because they were cancelled end {@link TaskletState#CANCELLED}.</li>
 *   <li>{@link #firstSuccess} — the first child that returns a result wins and the others are cancelled;
 *       see {@link FirstSuccessScope}.</li>
 *   <li>{@link #supervise} — failures go to a {@link SupervisionHandler} and are counted; siblings keep
 *       running; with a {@link RestartPolicy}, a failed child is restarted after a backoff pause until
 *       the restart rate limit is hit.</li>
 * </ul>
 *
 * <p><b>Options.</b> A {@linkplain Builder#deadline deadline} cancels the scope (and its whole subtree)
 * when it passes, and {@code join()} then throws {@link DeadlineExceededException}. A
 * {@linkplain Builder#maxConcurrency concurrency limit} makes {@code fork} block while that many children
 * are alive.
 *
 * <p><b>Ownership and nesting.</b> A scope opened inside a tasklet belongs to that tasklet: cancelling
 * the tasklet cancels the scope, and with it every tasklet below. The registry
 * ({@link Tasklets#snapshot()}) shows scopes under the tasklet that opened them, and scopes opened on
 * other threads (a {@code main} thread, a test) at the top.
 *
 * <p>Scopes opened on the same thread nest, whether that thread is a tasklet or not: a new scope's
 * parent is the innermost scope still open on the thread that opens it. When the parent is cancelled
 * (its deadline passes, a fail-fast failure, a first success, {@link #cancel()}), the nested scope is
 * cancelled too, so
 * <pre>{@code
 * try (var outer = TaskletScope.failFast("request").deadline(Duration.ofMillis(200)).open()) {
 *     try (var inner = TaskletScope.failFast("lookups").deadline(Duration.ofSeconds(3)).open()) {
 *         inner.fork("slow", () -> slowLookup());   // cancelled after 200 ms, not 3 s
 *         inner.join();                             // returns once it is cancelled
 *     }
 *     outer.join();                                 // DeadlineExceededException: 'request'
 * }
 * }</pre>
 * Only the scopes' tasklets are cancelled: the opening thread's own code is not interrupted (it is no
 * tasklet of either scope), and a nested scope's {@code join} reports what its own policy says (its
 * cancelled children are not failures). Closing does not cascade: try-with-resources closes the inner
 * scope first anyway, and a scope closed while a scope opened after it on the same thread is still open
 * just stops being that scope's parent (the next scope out, if any, becomes it). Scopes opened on
 * other threads (including the children's) do not nest by thread; they nest by ownership, as above.
 *
 * <p><b>Standalone scopes.</b> Nesting by thread is for scopes that live for a block of code
 * (try-with-resources). A scope that outlives the code that opens it, like the one behind a server, a
 * job queue or a client, is opened {@linkplain Builder#standalone() standalone}: it does not nest in
 * the scopes open on the thread, and scopes opened there later do not nest in it. So the deadline of a
 * short user scope does not stop a server started inside it, and shutting a queue down does not cancel
 * the work of a scope opened after the queue on the same thread. A standalone scope still belongs to
 * the tasklet that opens it: cancelling that tasklet cancels it, as for any scope. The long-lived
 * objects of Warren ({@code TcpServer}, {@code HttpServer}, {@code MessageServer}, {@code UdpReceiver},
 * {@code MessageClient}, {@link JobQueue}) open standalone scopes; a {@code StreamJob} runs in a
 * tasklet of its own.
 *
 * <p><b>Threading.</b> {@code fork} may be called from any thread while the scope is open, in
 * particular from the scope's own children (a server's acceptor forks connection tasklets into the
 * server scope). {@code join} and {@code close} are meant for the thread that opened the scope; called
 * from a tasklet of the scope itself they would wait for their caller, so they throw
 * {@link IllegalStateException} instead (as {@link Tasklet#join()} refuses to join itself).
 * Once the scope is closing, a {@code close} from one of its tasklets (a cleanup path, say) returns at
 * once: the close under way is the one that waits. {@code fork} blocks only under a concurrency limit;
 * {@code join} and {@code close} block until the children are done.
 *
 * <p><b>Closing.</b> {@link #close()} cancels whatever is still running and waits for it, even if the
 * closing thread is interrupted (the interrupt is kept for later). When {@code close} returns, no code
 * of any child of this scope runs, ever. Closing twice is harmless; {@code fork} after close throws.
 * That holds for every closer from outside the scope: a second {@code close} waits for the children as
 * the first does (so a tasklet that one of the children waits for must not close the scope). While it
 * waits, the registry shows the closing tasklet waiting on the scope. A child that ignores its
 * cancellation keeps {@code close} waiting: the scope then logs a WARN naming each such child with its
 * stack once the close has waited {@linkplain Builder#closeWarningAfter 10 s}, then 20 s, 40 s... (at
 * most 5 minutes apart) while it lasts; {@link #closeWithin(Duration)} bounds the wait and returns false
 * instead.
 *
 * <p><b>Memory consistency.</b> Actions before {@code fork} happen-before the child's task; actions of
 * every child happen-before {@code join} (or {@code close}) returns.
 */
public final class TaskletScope implements AutoCloseable {

    /**
     * How long {@link #close()} waits for cancelled children before it reports the ones still running,
     * unless the builder says otherwise ({@link Builder#closeWarningAfter}): 10 seconds.
     */
    public static final Duration DEFAULT_CLOSE_WARNING = Duration.ofSeconds(10);

    private final ScopeCore core;

    TaskletScope(ScopeCore core) {
        this.core = core;
    }

    /** A scope in which the first failure cancels the other children and is thrown by {@code join}. */
    public static Builder failFast(String name) {
        return new Builder(name, ScopeCore.Policy.FAIL_FAST);
    }

    /** A scope whose children's failures are reported and counted, optionally restarting the child. */
    public static Builder supervise(String name) {
        return new Builder(name, ScopeCore.Policy.SUPERVISE);
    }

    /** A scope where the first successful child wins and the others are cancelled. */
    public static <T> FirstSuccessScope.Builder<T> firstSuccess(String name) {
        return new FirstSuccessScope.Builder<>(name);
    }

    /**
     * Starts {@code task} in a new tasklet named {@code name}, a child of this scope. Blocks while the
     * scope's concurrency limit is reached. If the scope has already been cancelled (a failure, a
     * deadline, a first success), returns a tasklet that is already {@link TaskletState#CANCELLED} and
     * never runs.
     *
     * @throws IllegalStateException if the scope is closed
     * @throws java.util.concurrent.CancellationException if the caller was interrupted while waiting
     *     for a concurrency permit (its interrupt status is set again)
     */
    public <T> Tasklet<T> fork(String name, Callable<? extends T> task) {
        return core.fork(name, task);
    }

    /** Like {@link #fork(String, Callable)} for a task run for its effect. */
    public Tasklet<Void> fork(String name, CheckedRunnable task) {
        Objects.requireNonNull(task, "task");
        return core.fork(name, () -> {
            task.run();
            return null;
        });
    }

    /**
     * Waits until every child has ended, then applies the policy.
     *
     * @throws TaskletFailedException (fail-fast) if a child failed: the first failure is the cause
     * @throws DeadlineExceededException if the deadline passed first
     * @throws InterruptedException if the calling thread was interrupted while waiting; the children
     *     keep running until {@link #close()}
     * @throws IllegalStateException if called from a tasklet of this scope (see {@link #isCallerInside()}),
     *     which would wait for itself
     */
    public void join() throws InterruptedException {
        core.checkNotInside("joined");
        core.awaitChildren();
        core.throwIfFailed();
    }

    /**
     * Cancels every child now, and every scope nested in this one by thread (see the class comment), with
     * their children; later forks return cancelled tasklets. Does not wait.
     */
    public void cancel() {
        core.cancel();
    }

    /**
     * True once the scope was cancelled: by {@link #cancel()}, a failure (fail-fast), a first success, its
     * deadline, the cancel of the scope it is nested in or of the tasklet that owns it, or a close that
     * found children still running.
     */
    public boolean isCancelled() {
        return core.isCancelled();
    }

    /** The scope's name. */
    public String name() {
        return core.name;
    }

    /** How many children are alive right now. */
    public int liveCount() {
        return core.children.liveCount();
    }

    /** How many times a child's task threw (every failure, including those followed by a restart). */
    public long failureCount() {
        return core.failures.sum();
    }

    /** How many times a supervised child was restarted. */
    public long restartCount() {
        return core.restarts.sum();
    }

    /**
     * Cancels what still runs, waits for it, and unregisters the scope. See the class comment.
     *
     * <p>A child that ignores its cancellation (swallows the interrupt and goes on) keeps this waiting.
     * Then, once the close has waited the scope's {@linkplain Builder#closeWarningAfter close warning
     * time} W (default {@link #DEFAULT_CLOSE_WARNING}), the scope logs a WARN naming each child still
     * running with its stack, and again when it has waited 2W, 4W, 8W... (at most 5 minutes apart), for
     * as long as it lasts. To bound the wait instead, see {@link #closeWithin(Duration)}.
     *
     * <p>A second close from outside the scope waits like the first. From a tasklet of the scope, close
     * returns at once if the scope is already closing.
     *
     * @throws IllegalStateException if called from a tasklet of this scope (see {@link #isCallerInside()})
     *     while the scope is open, which would wait for itself; the scope is left as it was
     */
    @Override
    public void close() {
        core.close(-1);
    }

    /**
     * Like {@link #close()}, waiting at most {@code timeout} for the children to end. Returns true if they
     * did: the scope is then closed exactly as by {@link #close()}. Returns false if some still run after
     * {@code timeout} (they were cancelled and ignore it): the scope is closed to forks and stays in the
     * registry ({@link Tasklets#snapshot()} shows what is stuck); a later {@code close} or
     * {@code closeWithin} goes on waiting, and the WARN reports go on while the children run. An
     * interrupt of the caller does not cut the wait short (it is kept for later). From a tasklet of the
     * scope, once the scope is closing, returns false at once (the caller itself still runs).
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if called from a tasklet of this scope while the scope is open
     */
    public boolean closeWithin(Duration timeout) {
        return core.close(Durations.timeoutNanos(timeout));
    }

    /**
     * True if the calling thread is a tasklet of this scope's subtree: one of its children, or a tasklet
     * below a scope that one of them opened, at any depth. Such a caller must not {@link #join()} or
     * {@link #close()} the scope (both would wait for the caller itself, and throw
     * {@link IllegalStateException} instead); servers and clients built on scopes use it to refuse a close
     * from their own handlers.
     */
    public boolean isCallerInside() {
        return core.isCallerInside();
    }

    /**
     * The exception for a wait that the caller would never see end: {@code subject} (say
     * {@code "server 'web'"}) cannot be {@code action} ({@code "closed"}) from the calling tasklet, since
     * that waits for the tasklets of a scope the caller is inside ({@link #isCallerInside()}).
     * {@code advice} says what to do instead. For objects built on a scope that refuse such calls, as
     * Warren's servers, clients and queues do; it only builds the exception, the caller throws it.
     */
    public static IllegalStateException selfWaitRefused(String subject, String action, String advice) {
        return new IllegalStateException(subject + " cannot be " + action + " from its own tasklet '"
                + Thread.currentThread().getName() + "': that waits for every tasklet of it, this one included,"
                + " so it would never return; " + advice);
    }

    @Override
    public String toString() {
        return "TaskletScope['" + core.name + "' " + core.policy + ", " + liveCount() + " live]";
    }

    /**
     * Configures a scope; {@link #open()} opens it. A builder may open several scopes.
     * Not thread-safe.
     */
    public static final class Builder {
        final String name;
        final ScopeCore.Policy policy;
        Duration deadline;
        int maxConcurrency;
        SupervisionHandler handler;
        RestartPolicy restartPolicy;
        Duration closeWarning = DEFAULT_CLOSE_WARNING;
        boolean standalone;

        Builder(String name, ScopeCore.Policy policy) {
            this.name = Objects.requireNonNull(name, "name");
            this.policy = policy;
        }

        /** Cancels the scope when {@code deadline} has passed since {@link #open()}; must be {@code > 0}. */
        public Builder deadline(Duration deadline) {
            this.deadline = checkDeadline(deadline);
            return this;
        }

        /** At most {@code max} children alive at once; {@code fork} blocks beyond. Must be {@code > 0}. */
        public Builder maxConcurrency(int max) {
            this.maxConcurrency = checkConcurrency(max);
            return this;
        }

        /**
         * How long {@link TaskletScope#close()} may wait for cancelled children before it logs (at WARN)
         * each one still running with its stack; the report repeats each time the wait has doubled (after
         * 2, 4, 8... times this value, at most 5 minutes apart). Must be {@code > 0}; default
         * {@link #DEFAULT_CLOSE_WARNING} (10 s).
         */
        public Builder closeWarningAfter(Duration after) {
            this.closeWarning = checkCloseWarning(after);
            return this;
        }

        /**
         * Opens the scope apart from the calling thread's nesting (see "Standalone scopes" in the class
         * comment): it is not nested in the innermost scope open on the thread, so that scope's cancel
         * (a deadline, a failure) does not reach it, and scopes opened on the thread while it is open
         * are not nested in it. For a scope that outlives the code that opens it. It still belongs to the
         * calling tasklet, if any.
         */
        public Builder standalone() {
            this.standalone = true;
            return this;
        }

        /** Supervise only: where failures are reported (the default logs them). */
        public Builder onFailure(SupervisionHandler handler) {
            requireSupervise("onFailure");
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Supervise only: restart failed children with this policy (the default never restarts). */
        public Builder restart(RestartPolicy policy) {
            requireSupervise("restart");
            this.restartPolicy = Objects.requireNonNull(policy, "restart policy");
            return this;
        }

        private void requireSupervise(String option) {
            if (policy != ScopeCore.Policy.SUPERVISE) {
                throw new IllegalStateException(option + "(...) applies to supervising scopes only; scope '" + name
                        + "' is "
                        + policy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            }
        }

        /**
         * Opens the scope, owned by the calling tasklet (or top-level if the caller is not a tasklet) and,
         * unless {@linkplain #standalone() standalone}, nested in the innermost scope still open on the
         * calling thread (see the class comment).
         */
        public TaskletScope open() {
            return new TaskletScope(ScopeCore.open(
                    name, policy, maxConcurrency, deadline, handler, restartPolicy, closeWarning, standalone));
        }
    }

    static Duration checkDeadline(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be > 0, was " + deadline);
        }
        return deadline;
    }

    static Duration checkCloseWarning(Duration after) {
        Objects.requireNonNull(after, "closeWarningAfter");
        if (after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("closeWarningAfter must be > 0, was " + after);
        }
        return after;
    }

    static int checkConcurrency(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxConcurrency must be > 0, was " + max);
        }
        return max;
    }
}
