package dev.warren.tasklets;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A scope whose first child to return a result wins: the other children are cancelled and
 * {@link #join()} returns the winner's result.
 *
 * <pre>{@code
 * try (var scope = TaskletScope.<InetAddress>firstSuccess("resolve").deadline(Duration.ofSeconds(1)).open()) {
 *     scope.fork("dns-a", () -> resolverA.lookup(host));
 *     scope.fork("dns-b", () -> resolverB.lookup(host));
 *     return scope.join();
 * }
 * }</pre>
 *
 * <p>If every child fails, {@code join} throws {@link TaskletFailedException} with the first failure as
 * the cause and the later ones suppressed. Threading, deadline, concurrency limit, nesting and closing
 * are as for {@link TaskletScope}.
 *
 * @param <T> the type of the result
 */
public final class FirstSuccessScope<T> implements AutoCloseable {
    private final ScopeCore core;

    FirstSuccessScope(ScopeCore core) {
        this.core = core;
    }

    /** Starts a candidate; see {@link TaskletScope#fork(String, Callable)}. */
    public Tasklet<T> fork(String name, Callable<? extends T> task) {
        return core.fork(name, task);
    }

    /**
     * Waits until every child has ended (the losers are cancelled as soon as there is a winner) and
     * returns the winner's result.
     *
     * @throws TaskletFailedException if every child failed
     * @throws DeadlineExceededException if the deadline passed before any child succeeded
     * @throws java.util.concurrent.CancellationException if the scope was cancelled before any success
     * @throws IllegalStateException if nothing was forked, or if called from a tasklet of this scope
     *     (it would wait for itself; see {@link TaskletScope#isCallerInside()})
     */
    @SuppressWarnings("unchecked") // the winner is one of our children, each a Callable<? extends T>
    public T join() throws InterruptedException {
        core.checkNotInside("joined");
        core.awaitChildren();
        core.throwIfFailed();
        return (T) core.winnerValue();
    }

    /** Cancels every child now. */
    public void cancel() {
        core.cancel();
    }

    /** The scope's name. */
    public String name() {
        return core.name;
    }

    /** How many children are alive right now. */
    public int liveCount() {
        return core.children.liveCount();
    }

    /** Cancels what still runs and waits for it; see {@link TaskletScope#close()}. */
    @Override
    public void close() {
        core.close(-1);
    }

    /** Like {@link #close()}, waiting at most {@code timeout}; see {@link TaskletScope#closeWithin(Duration)}. */
    public boolean closeWithin(Duration timeout) {
        return core.close(Durations.timeoutNanos(timeout));
    }

    /** Configures a first-success scope. Not thread-safe. */
    public static final class Builder<T> {
        private final String name;
        private Duration deadline;
        private int maxConcurrency;
        private Duration closeWarning = TaskletScope.DEFAULT_CLOSE_WARNING;

        Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** See {@link TaskletScope.Builder#deadline}. */
        public Builder<T> deadline(Duration deadline) {
            this.deadline = TaskletScope.checkDeadline(deadline);
            return this;
        }

        /** See {@link TaskletScope.Builder#maxConcurrency}. */
        public Builder<T> maxConcurrency(int max) {
            this.maxConcurrency = TaskletScope.checkConcurrency(max);
            return this;
        }

        /** See {@link TaskletScope.Builder#closeWarningAfter}. */
        public Builder<T> closeWarningAfter(Duration after) {
            this.closeWarning = TaskletScope.checkCloseWarning(after);
            return this;
        }

        /**
         * Opens the scope, owned by the calling tasklet (or top-level) and nested in the innermost scope
         * open on the calling thread (see {@link TaskletScope}).
         */
        public FirstSuccessScope<T> open() {
            return new FirstSuccessScope<>(ScopeCore.open(
                    name, ScopeCore.Policy.FIRST_SUCCESS, maxConcurrency, deadline, null, null, closeWarning, false));
        }
    }
}
