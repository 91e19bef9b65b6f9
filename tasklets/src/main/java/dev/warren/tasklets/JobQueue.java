package dev.warren.tasklets;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * A named queue of jobs run by an elastic set of worker tasklets: libmtev's {@code eventer_jobq} on
 * Warren. Use one to bound how much of some blocking work (a database, a disk, a slow peer) runs at once
 * and how much may wait for it.
 *
 * <pre>{@code
 * try (JobQueue db = JobQueue.builder("db").minConcurrency(1).maxConcurrency(8).backlog(10_000)
 *         .defaultDeadline(Duration.ofSeconds(2)).start()) {
 *     if (!db.tryAdd(() -> store.write(row))) {
 *         reply(503);                                   // backlog full: shed load
 *     }
 *     CompletableFuture<User> user = db.submit(() -> store.load(id));   // waits for room
 * }                                                     // close(): queued jobs run, then workers exit
 * }</pre>
 *
 * <p><b>Workers.</b> Jobs run on worker tasklets of a supervising {@link TaskletScope} that the queue
 * opens in {@link Builder#start()}; like any scope it belongs to the tasklet that calls {@code start()}
 * (or is top-level), so cancelling that owner cancels the workers and interrupts the jobs they run, and
 * the queue then stops as by {@link #shutdownNow()}. The scope is
 * {@linkplain TaskletScope.Builder#standalone() standalone}: a scope open on the starting thread (its
 * deadline, a failure) does not stop the queue, and {@link #shutdownNow()} does not cancel scopes
 * opened on that thread after the queue. The number of workers is elastic: never more than
 * {@code maxConcurrency}, and a new worker starts when a job is queued and there are more queued jobs
 * than idle workers; a worker left idle for {@code idleTimeout} exits unless that would leave fewer than
 * {@code minConcurrency}, which are started at once and kept. A job that throws is counted
 * ({@link Stats#failed()}) and logged and the worker goes on with the next job. The registry
 * ({@link Tasklets#snapshot()}) shows idle workers, and adders waiting for room, as waiting on
 * {@code "jobq NAME"}.
 *
 * <p><b>Deadlines bound the wait in the backlog, not the job.</b> A job may carry a deadline, counted
 * from the moment it enters the backlog. A job still queued when its deadline passes is never run: it
 * is dropped, and counted in {@link Stats#timeouts()}. A deadline does not limit how long a job runs
 * once a worker has taken it. For {@code add} and {@code tryAdd} jobs the deadline is checked when a
 * worker reaches the job (libmtev's semantics): while every worker is busy (or stuck), nothing happens
 * when it passes. For {@link #submit} the future fails with a
 * {@link java.util.concurrent.TimeoutException} as soon as the deadline passes in the backlog, worker
 * or not, and the job leaves the backlog (its room goes to the next add), so a caller waiting on a
 * submitted job with a deadline waits at most that long for it to start; to bound the whole wait,
 * running included, use the future's {@code get(timeout, unit)} or {@code orTimeout}, which leave the
 * job running. (That takes a timer only for a submitted job that has to wait for a busy worker.)
 *
 * <p><b>Threading.</b> Any thread or tasklet may add jobs concurrently. {@code tryAdd} never blocks;
 * {@code add} and {@code submit} block while the backlog is full ({@code add} with a timeout waits at
 * most that long); {@code awaitTermination} and {@code close} block until the workers are gone.
 * {@link #stats()}, {@link #shutdown()} and {@link #shutdownNow()} never block. A job (or a tasklet
 * below one) that calls {@code close} or {@code awaitTermination} on its own queue would wait for
 * itself: it gets {@link IllegalStateException} instead, and the queue is left as it was.
 *
 * <p><b>Closing.</b> {@link #shutdown()} stops accepting jobs: afterwards {@code tryAdd} returns
 * {@code false} (counted as rejected) and {@code add}/{@code submit} throw {@link IllegalStateException},
 * as do adders that were waiting for room. Jobs already queued still run (or expire), then the workers
 * exit. {@link #shutdownNow()} also discards the backlog (counted in {@link Stats#discarded()}; futures
 * from {@code submit} are cancelled) and interrupts running jobs. {@link #close()} is {@code shutdown()}
 * then waiting for termination; if the closing thread is interrupted while it waits, it escalates to
 * {@code shutdownNow()}, keeps waiting, and restores the interrupt. When {@code close()} (or a
 * {@code true} {@code awaitTermination}) returns, no worker tasklet of the queue is alive.
 *
 * <p><b>Memory consistency.</b> Actions in a thread before it adds a job happen-before the job runs;
 * actions of a job happen-before the completion of its {@code submit} future is observed, and before
 * {@code awaitTermination} or {@code close} returns.
 */
public sealed interface JobQueue extends AutoCloseable permits TaskletJobQueue {

    /** Configures a queue named {@code name}; see {@link Builder}. */
    static Builder builder(String name) {
        return new Builder(name);
    }

    /** The queue's name, as given to the builder. */
    String name();

    /**
     * Queues {@code job} with the default deadline if there is room. Never blocks. The deadline bounds
     * the job's time in the backlog and is checked when a worker reaches it (see the class comment).
     *
     * @return false, counted in {@link Stats#rejected()}, if the backlog is full or the queue was shut down
     */
    boolean tryAdd(CheckedRunnable job);

    /**
     * Queues {@code job} if there is room; it is dropped unrun if it is still queued after
     * {@code deadline} (checked when a worker reaches it: see the class comment). Never blocks.
     *
     * @return false, counted in {@link Stats#rejected()}, if the backlog is full or the queue was shut down
     * @throws IllegalArgumentException if {@code deadline} is not positive
     */
    boolean tryAdd(CheckedRunnable job, Duration deadline);

    /**
     * Queues {@code job} with the default deadline, waiting as long as it takes for room in the backlog.
     * The deadline counts from when it is queued, and is checked when a worker reaches it.
     *
     * @throws IllegalStateException if the queue is shut down, before or while waiting
     * @throws InterruptedException if the caller is interrupted while waiting; the job was not queued
     */
    void add(CheckedRunnable job) throws InterruptedException;

    /**
     * Queues {@code job} with the default deadline, waiting at most {@code timeout} for room. The
     * deadline counts from when it is queued, and is checked when a worker reaches it.
     *
     * @return false, counted in {@link Stats#rejected()}, if there was no room within {@code timeout}
     * @throws IllegalStateException if the queue is shut down, before or while waiting
     * @throws InterruptedException if the caller is interrupted while waiting; the job was not queued
     */
    boolean add(CheckedRunnable job, Duration timeout) throws InterruptedException;

    /**
     * Queues {@code job}, waiting at most {@code timeout} for room; once queued, it is dropped unrun if it
     * is still queued after {@code deadline} (checked when a worker reaches it).
     *
     * @return false, counted in {@link Stats#rejected()}, if there was no room within {@code timeout}
     * @throws IllegalStateException if the queue is shut down, before or while waiting
     * @throws IllegalArgumentException if {@code deadline} is not positive or {@code timeout} negative
     * @throws InterruptedException if the caller is interrupted while waiting; the job was not queued
     */
    boolean add(CheckedRunnable job, Duration timeout, Duration deadline) throws InterruptedException;

    /**
     * Queues {@code job} with the default deadline, waiting for room like {@link #add(CheckedRunnable)}, and
     * returns its result to come. The future completes with the job's value, or exceptionally with what
     * it threw, with a {@link java.util.concurrent.TimeoutException} as soon as its deadline passes while
     * it is still queued (then it never runs), or with a {@link java.util.concurrent.CancellationException}
     * if {@link #shutdownNow()} discarded it. Cancelling the future before the job starts keeps it from
     * running; cancelling it later does not interrupt the job. The deadline does not bound a job that
     * has started: for that, wait with {@code get(timeout, unit)}.
     *
     * @throws IllegalStateException if the queue is shut down, before or while waiting
     * @throws InterruptedException if the caller is interrupted while waiting; the job was not queued
     */
    <T> CompletableFuture<T> submit(Callable<? extends T> job) throws InterruptedException;

    /**
     * Like {@link #submit(Callable)} with {@code deadline} instead of the default: if no worker has taken
     * the job within {@code deadline} of its entering the backlog, the future fails with a
     * {@link java.util.concurrent.TimeoutException} at that moment, even while every worker is stuck, and
     * the job is never run. So {@code submit(job, d).get()} waits at most {@code d} for the job to start.
     *
     * @throws IllegalArgumentException if {@code deadline} is not positive
     * @throws IllegalStateException if the queue is shut down, before or while waiting
     * @throws InterruptedException if the caller is interrupted while waiting for room; the job was not
     *     queued
     */
    <T> CompletableFuture<T> submit(Callable<? extends T> job, Duration deadline) throws InterruptedException;

    /**
     * A snapshot of the counters, with libmtev's meanings; see {@link Stats}. A job is counted as done
     * (and leaves {@code inflight}) when its worker comes back to the queue, just after the job's future
     * completed: a caller that has seen the future complete may read the count a moment before it moves.
     */
    Stats stats();

    /** Stops accepting jobs; queued jobs still run, then the workers exit. Does not wait. Idempotent. */
    void shutdown();

    /**
     * Stops accepting jobs, discards the backlog and interrupts the running jobs. Does not wait.
     *
     * @return how many queued jobs were discarded by this call
     */
    int shutdownNow();

    /** True once {@link #shutdown()} or {@link #shutdownNow()} was called, or the owning scope cancelled. */
    boolean isShutdown();

    /** True once the queue is shut down and every worker has exited. */
    boolean isTerminated();

    /**
     * Waits at most {@code timeout} for the queue to terminate (it must be shut down for that to happen).
     *
     * @return true if it terminated: no worker tasklet is alive any more
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** {@link #shutdown()}, then waits until the queue terminates; see the class comment. */
    @Override
    void close();

    /**
     * The counters of a queue at one instant, named after libmtev's {@code /eventer/jobq.json}.
     *
     * @param concurrency the number of live workers
     * @param desiredConcurrency how many workers the queue wants now: {@code inflight + backlog} clamped to
     *     {@code [minConcurrency, maxConcurrency]} (0 once shut down with nothing left to do)
     * @param totalJobs jobs that ran to their end (returned or threw); expired and discarded jobs excluded
     * @param backlog jobs queued, not yet taken by a worker (including {@code add}/{@code tryAdd} jobs whose
     *     deadline has passed; a submitted job whose deadline passes leaves the backlog then)
     * @param inflight jobs running now
     * @param timeouts jobs dropped unrun because their deadline passed while they were queued (counted
     *     when a worker reached them, or for {@code submit}, when the deadline passed)
     * @param avgWaitMs mean time, in milliseconds, from entering the backlog to starting, over started jobs
     * @param avgRunMs mean running time in milliseconds over {@code totalJobs}
     * @param rejected adds refused: backlog full (for {@code tryAdd} or a timed {@code add}) or shut down
     *     ({@code tryAdd})
     * @param failed jobs that threw (other than by being interrupted by a cancellation)
     * @param discarded queued jobs thrown away by {@code shutdownNow} or the owning scope's cancellation
     */
    record Stats(
            int concurrency,
            int desiredConcurrency,
            long totalJobs,
            int backlog,
            int inflight,
            long timeouts,
            double avgWaitMs,
            double avgRunMs,
            long rejected,
            long failed,
            long discarded) {

        /**
         * The libmtev fields as a JSON-ready tree for {@link dev.warren.tasklets.observe.Json}, with exactly
         * libmtev's keys in its order: {@code concurrency, desired_concurrency, total_jobs, backlog,
         * inflight, timeouts, avg_wait_ms, avg_run_ms}.
         */
        public Map<String, Object> toTree() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("concurrency", concurrency);
            m.put("desired_concurrency", desiredConcurrency);
            m.put("total_jobs", totalJobs);
            m.put("backlog", backlog);
            m.put("inflight", inflight);
            m.put("timeouts", timeouts);
            m.put("avg_wait_ms", avgWaitMs);
            m.put("avg_run_ms", avgRunMs);
            return m;
        }
    }

    /**
     * Configures a {@link JobQueue}; {@link #start()} starts one. Values are checked as they are set
     * (and {@code maxConcurrency >= minConcurrency} at {@code start()}); each message names the bad value.
     * Not thread-safe; a builder may start several queues.
     */
    final class Builder {
        final String name;
        int minConcurrency;
        int maxConcurrency = -1; // -1 = not set: max(1, minConcurrency)
        int backlog = 10_000;
        JobOrder order = JobOrder.FIFO;
        Duration defaultDeadline; // null = none
        Duration idleTimeout = Duration.ofSeconds(10);

        Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
            }
            this.name = name;
        }

        /** Workers kept even with no work ({@code >= 0}; default 0). They are started by {@link #start()}. */
        public Builder minConcurrency(int min) {
            if (min < 0) {
                throw new IllegalArgumentException("minConcurrency must be >= 0, was " + min);
            }
            this.minConcurrency = min;
            return this;
        }

        /**
         * At most this many jobs run at once ({@code > 0}, {@code >= minConcurrency}; default
         * {@code max(1, minConcurrency)}).
         */
        public Builder maxConcurrency(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxConcurrency must be > 0, was " + max);
            }
            this.maxConcurrency = max;
            return this;
        }

        /** At most this many jobs wait in the queue ({@code > 0}; default 10 000). */
        public Builder backlog(int backlog) {
            if (backlog <= 0) {
                throw new IllegalArgumentException("backlog must be > 0, was " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** The order in which queued jobs are taken (default {@link JobOrder#FIFO}). */
        public Builder order(JobOrder order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /** The deadline of jobs added without one ({@code > 0}; default none). */
        public Builder defaultDeadline(Duration deadline) {
            this.defaultDeadline = checkPositive("defaultDeadline", deadline);
            return this;
        }

        /** How long a worker above {@code minConcurrency} may stay idle before it exits ({@code > 0}; default 10 s). */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = checkPositive("idleTimeout", idleTimeout);
            return this;
        }

        /**
         * Starts the queue and its {@code minConcurrency} workers, in a standalone scope owned by the
         * calling tasklet (top-level if the caller is not a tasklet).
         *
         * @throws IllegalArgumentException if {@code maxConcurrency < minConcurrency}
         */
        public JobQueue start() {
            int max = maxConcurrency < 0 ? Math.max(1, minConcurrency) : maxConcurrency;
            if (max < minConcurrency) {
                throw new IllegalArgumentException(
                        "maxConcurrency must be >= minConcurrency (" + minConcurrency + "), was " + max);
            }
            return TaskletJobQueue.start(this, max);
        }

        static Duration checkPositive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be > 0, was " + d);
            }
            return d;
        }
    }
}
