package dev.warren.tasklets;

import dev.warren.tasklets.observe.LogStreams;
import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.MetricSink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation of {@link JobQueue}: a deque of jobs and a set of workers under one
 * {@link ReentrantLock}, with worker tasklets forked into a supervising {@link ScopeCore}.
 *
 * <p>One lock keeps every decision (take, retire, spawn, shut down) consistent with the backlog and the
 * worker count, which is what makes {@code maxConcurrency} a hard bound and lets no job be stranded.
 * Each job costs one lock hold on the adding side and one on the worker side: the worker records the
 * counters of the job it just ran in the same hold in which it takes the next one.
 *
 * <p>Spawn rule: after queuing, start a worker if {@code backlog > idle} and {@code workers < max}.
 * Idle workers stay counted as idle until they wake, so a burst of adds wakes each idle worker once
 * and then starts new ones, instead of signalling the same sleeper again and again.
 */
final class TaskletJobQueue implements JobQueue {
    private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
    /** How often {@code awaitTermination} re-checks once the scope was cancelled; see {@link #reapLocked()}. */
    private static final long REAP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final String name;
    private final int min;
    private final int max;
    private final int capacity;
    private final boolean lifo;
    private final long defaultDeadlineNanos; // 0 = none
    private final long idleNanos;
    private final String hint; // what the registry shows parked workers and adders waiting on
    private final ScopeCore scope;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition terminated = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<Job> backlog = new ArrayDeque<>();
    private final Set<Worker> workers = new HashSet<>();
    private int idle;
    private int inflight;
    private int workerSeq;
    private boolean shutdown;
    private long started;
    private long totalJobs;
    private long timeouts;
    private long rejected;
    private long failed;
    private long discarded;
    private long waitNanos;
    private long runNanos;
    private List<Job> timedOut; // taken out of the backlog by their timers; futures yet to fail
    private boolean failing; // a tasklet is failing them

    private TaskletJobQueue(JobQueue.Builder b, int max) {
        this.name = b.name;
        this.min = b.minConcurrency;
        this.max = max;
        this.capacity = b.backlog;
        this.lifo = b.order == JobOrder.LIFO;
        this.defaultDeadlineNanos = b.defaultDeadline == null ? 0 : Durations.saturatedNanos(b.defaultDeadline);
        this.idleNanos = Durations.saturatedNanos(b.idleTimeout);
        this.hint = "jobq " + name;
        // Standalone: the queue outlives the code that builds it, so it must neither be cancelled by a scope
        // open on this thread nor cancel the scopes opened here after it (see TaskletScope).
        this.scope = ScopeCore.open(
                "jobq " + name,
                ScopeCore.Policy.SUPERVISE,
                0,
                null,
                null,
                null,
                TaskletScope.DEFAULT_CLOSE_WARNING,
                true);
    }

    /** Queues started and not yet seen terminated, for the "jobq" report (libmtev's /jobq.json). */
    private static final java.util.Set<TaskletJobQueue> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        dev.warren.tasklets.observe.Reports.register("jobq", TaskletJobQueue::report);
        if (MetricRegistry.libraryMetrics()) {
            MetricRegistry.global().register(TaskletJobQueue::collectAll);
        }
    }

    private static void collectAll(MetricSink out) {
        LIVE.removeIf(TaskletJobQueue::isTerminated);
        for (TaskletJobQueue q : LIVE) {
            q.collect(out);
        }
    }

    /** This queue's series, labelled {@code queue=NAME}, read under its lock in one go. */
    private void collect(MetricSink out) {
        long jobs;
        long tOut;
        long rej;
        long fail;
        long disc;
        long waitN;
        long runN;
        int back;
        int inf;
        int conc;
        lock.lock();
        try {
            jobs = totalJobs;
            tOut = timeouts;
            rej = rejected;
            fail = failed;
            disc = discarded;
            waitN = waitNanos;
            runN = runNanos;
            back = backlog.size();
            inf = inflight;
            conc = workers.size();
        } finally {
            lock.unlock();
        }
        out.gauge("warren_jobq_backlog", "Jobs waiting in the queue's backlog", back, "queue", name);
        out.gauge("warren_jobq_inflight", "Jobs running now", inf, "queue", name);
        out.gauge("warren_jobq_workers", "Worker tasklets of the queue", conc, "queue", name);
        out.counter("warren_jobq_jobs_completed_total", "Jobs that ran to their end", jobs, "queue", name);
        out.counter("warren_jobq_jobs_failed_total", "Jobs that threw", fail, "queue", name);
        out.counter("warren_jobq_timeouts_total", "Jobs whose deadline passed", tOut, "queue", name);
        out.counter(
                "warren_jobq_rejected_total",
                "Submissions refused (backlog full or queue shut down)",
                rej,
                "queue",
                name);
        out.counter("warren_jobq_discarded_total", "Queued jobs dropped by shutdownNow", disc, "queue", name);
        out.counter(
                "warren_jobq_wait_seconds_total",
                "Time jobs waited in the backlog before a worker took them",
                waitN / 1e9,
                "queue",
                name);
        out.counter("warren_jobq_run_seconds_total", "Time workers spent running jobs", runN / 1e9, "queue", name);
    }

    /** {@code {"NAME": {concurrency, desired_concurrency, ...}, ...}} for every live queue, by name. */
    private static Object report() {
        java.util.Map<String, Object> out = new java.util.TreeMap<>();
        LIVE.removeIf(TaskletJobQueue::isTerminated);
        for (TaskletJobQueue q : LIVE) {
            out.put(q.name, q.stats().toTree());
        }
        return out;
    }

    static JobQueue start(JobQueue.Builder b, int max) {
        TaskletJobQueue q = new TaskletJobQueue(b, max);
        LIVE.add(q);
        List<Job> dropped = null;
        q.lock.lock();
        try {
            for (int i = 0; i < q.min && !q.shutdown; i++) {
                dropped = q.spawnLocked();
            }
        } finally {
            q.lock.unlock();
        }
        cancelAll(dropped);
        return q;
    }

    /** In the backlog. */
    private static final byte QUEUED = 0;
    /** Taken by a worker, to run. */
    private static final byte TAKEN = 1;
    /** Taken by a worker after its deadline: counted as a timeout, never run. */
    private static final byte EXPIRED = 2;
    /** Failed by its timer while in the backlog, and taken out of it. */
    private static final byte TIMED_OUT = 3;
    /** Thrown away by shutdownNow or the scope's cancellation. */
    private static final byte DISCARDED = 4;

    private static final VarHandle TIMER;
    /** What a job's timer field holds once the job left the backlog: no timer may be armed any more. */
    private static final Object DISARMED = new Object();

    static {
        try {
            TIMER = MethodHandles.lookup().findVarHandle(Job.class, "timer", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A queued job. Its fields are written before it is queued and read by the worker that takes it;
     * {@code state} and {@code armed} are guarded by the lock.
     *
     * <p>A submitted job with a deadline that has to wait for a busy worker is armed: a timer on the
     * deadline executor fails its future when the deadline passes while it is still in the backlog, and
     * takes it out, whether or not a worker ever comes. The timer is scheduled after the lock is
     * released; {@code timer} settles the race with the worker that takes the job meanwhile (a CAS from
     * null to the timer against a swap to {@link #DISARMED}).
     */
    private static final class Job {
        final CheckedRunnable body;
        final CompletableFuture<?> future; // null for add/tryAdd jobs
        final long deadlineNanos; // relative to queuedAt; 0 = none
        long queuedAt;
        byte state;
        boolean armed;

        @SuppressWarnings("unused") // accessed through TIMER
        private volatile Object timer; // null, the armed timer, or DISARMED

        Job(CheckedRunnable body, CompletableFuture<?> future, long deadlineNanos) {
            this.body = body;
            this.future = future;
            this.deadlineNanos = deadlineNanos;
        }

        /** Cancels the timer if one was armed; none can be armed afterwards. Any thread, no lock needed. */
        void disarm() {
            if (armed && TIMER.getAndSet(this, DISARMED) instanceof ScheduledFuture<?> f) {
                f.cancel(false);
            }
        }
    }

    /** One worker tasklet's bookkeeping. */
    private static final class Worker {
        Tasklet<Void> tasklet; // set under lock right after the fork
        boolean started; // under lock: its task ran (a worker forked into a cancelled scope never does)
        // Written by the worker itself, folded into the counters under lock by recordLocked.
        boolean hasResult;
        boolean lastFailed;
        long lastRunNanos;
        long jobStartedAt; // when the job it runs now was taken (nanoTime)
    }

    @Override
    public String name() {
        return name;
    }

    // ---- adding ----

    @Override
    public boolean tryAdd(CheckedRunnable job) {
        return tryEnqueue(new Job(Objects.requireNonNull(job, "job"), null, defaultDeadlineNanos));
    }

    @Override
    public boolean tryAdd(CheckedRunnable job, Duration deadline) {
        Objects.requireNonNull(job, "job");
        long d = Durations.saturatedNanos(JobQueue.Builder.checkPositive("deadline", deadline));
        return tryEnqueue(new Job(job, null, d));
    }

    private boolean tryEnqueue(Job j) {
        try {
            return enqueue(j, 0, true);
        } catch (InterruptedException e) {
            throw new AssertionError("tryAdd never waits", e);
        }
    }

    @Override
    public void add(CheckedRunnable job) throws InterruptedException {
        enqueue(new Job(Objects.requireNonNull(job, "job"), null, defaultDeadlineNanos), -1, false);
    }

    @Override
    public boolean add(CheckedRunnable job, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(job, "job");
        return enqueue(new Job(job, null, defaultDeadlineNanos), Durations.timeoutNanos(timeout), false);
    }

    @Override
    public boolean add(CheckedRunnable job, Duration timeout, Duration deadline) throws InterruptedException {
        Objects.requireNonNull(job, "job");
        long d = Durations.saturatedNanos(JobQueue.Builder.checkPositive("deadline", deadline));
        return enqueue(new Job(job, null, d), Durations.timeoutNanos(timeout), false);
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<? extends T> job) throws InterruptedException {
        return submit(job, defaultDeadlineNanos);
    }

    @Override
    public <T> CompletableFuture<T> submit(Callable<? extends T> job, Duration deadline) throws InterruptedException {
        return submit(job, Durations.saturatedNanos(JobQueue.Builder.checkPositive("deadline", deadline)));
    }

    private <T> CompletableFuture<T> submit(Callable<? extends T> job, long deadlineNanos) throws InterruptedException {
        Objects.requireNonNull(job, "job");
        CompletableFuture<T> f = new CompletableFuture<>();
        enqueue(new Job(() -> f.complete(job.call()), f, deadlineNanos), -1, false);
        return f;
    }

    /** Schedules {@code j}'s timer, after the lock is released; a worker may have taken it already. */
    private void armTimer(Job j) {
        ScheduledFuture<?> t =
                ScopeCore.DEADLINES.schedule(() -> deadlinePassedInBacklog(j), j.deadlineNanos, TimeUnit.NANOSECONDS);
        if (!TIMER.compareAndSet(j, (Object) null, t)) {
            t.cancel(false); // taken (or discarded) meanwhile
        }
    }

    /**
     * The deadline of a submitted job passed: unless a worker took it meanwhile, take it out of the
     * backlog (its room goes to a waiting adder) and fail its future.
     */
    private void deadlinePassedInBacklog(Job j) {
        boolean startFailer = false;
        boolean timedOutNow = false;
        lock.lock();
        try {
            if (j.state != QUEUED) {
                return;
            }
            backlog.removeFirstOccurrence(j); // the oldest time out first: they are near the head
            notFull.signal();
            if (j.future.isDone()) {
                j.state = DISCARDED; // its future was cancelled: not a timeout, just out of the way
                return;
            }
            j.state = TIMED_OUT;
            timeouts++;
            timedOutNow = true;
            if (timedOut == null) {
                timedOut = new ArrayList<>();
            }
            timedOut.add(j);
            if (!failing) {
                failing = true;
                startFailer = true;
            }
        } finally {
            lock.unlock();
        }
        if (timedOutNow && LogStreams.JOBQ.enabled()) {
            LogStreams.JOBQ.log("jobq '{}': a job's deadline passed while it waited in the backlog", name);
        }
        if (startFailer) {
            // Not on the timer's thread, which every scope deadline shares: completing a future runs its
            // callbacks, whatever they do. One tasklet fails a whole burst of timed-out jobs.
            Tasklets.start("jobq " + name + " deadlines", this::failTimedOut);
        }
    }

    /** Fails the futures of the jobs whose timers took them out of the backlog, until none is left. */
    private void failTimedOut() {
        for (; ; ) {
            List<Job> batch;
            lock.lock();
            try {
                batch = timedOut;
                timedOut = null;
                if (batch == null) {
                    failing = false;
                    return;
                }
            } finally {
                lock.unlock();
            }
            for (Job j : batch) {
                j.future.completeExceptionally(expiredException(j));
            }
        }
    }

    private TimeoutException expiredException(Job j) {
        return new TimeoutException("job on jobq '" + name + "' was dropped: its deadline of "
                + j.deadlineNanos / 1_000_000.0 + " ms passed while it was queued");
    }

    /**
     * Queues {@code j}. {@code waitNanos}: 0 = don't wait, negative = wait for ever.
     * {@code tryOnly}: after shutdown, return false instead of throwing.
     */
    private boolean enqueue(Job j, long waitNanos, boolean tryOnly) throws InterruptedException {
        boolean in = enqueueOrRefuse(j, waitNanos, tryOnly);
        if (!in && LogStreams.JOBQ.enabled()) {
            LogStreams.JOBQ.log(
                    "jobq '{}': job rejected: the backlog of {} is full or the queue is shut down", name, capacity);
        }
        return in;
    }

    private boolean enqueueOrRefuse(Job j, long waitNanos, boolean tryOnly) throws InterruptedException {
        List<Job> dropped = null;
        boolean arm = false;
        lock.lock();
        try {
            dropped = stopIfScopeCancelledLocked();
            if (shutdown) {
                if (tryOnly) {
                    rejected++;
                    return false;
                }
                throw shutDownException();
            }
            if (backlog.size() >= capacity) {
                if (waitNanos == 0) {
                    rejected++;
                    return false;
                }
                Object previous = Tasklets.blockingOn(hint);
                try {
                    long left = waitNanos;
                    while (backlog.size() >= capacity) {
                        if (waitNanos < 0) {
                            notFull.await();
                        } else if (left <= 0) {
                            rejected++;
                            return false;
                        } else {
                            left = notFull.awaitNanos(left);
                        }
                        if (shutdown) {
                            throw shutDownException();
                        }
                    }
                } finally {
                    Tasklets.unblocked(previous);
                }
            }
            j.queuedAt = System.nanoTime();
            backlog.addLast(j);
            if (idle > 0) {
                notEmpty.signal();
            }
            boolean mustWait = backlog.size() > idle; // no idle worker left for it
            if (mustWait && workers.size() < max) {
                dropped = spawnLocked();
                mustWait = false; // the new worker is for it
            }
            // A timer only for a submitted job with a deadline that waits for a busy worker: FIFO, one that
            // an idle or new worker takes is not overtaken; LIFO, any queued job may be.
            arm = j.future != null && j.deadlineNanos != 0 && (mustWait || lifo);
            j.armed = arm;
            return true;
        } finally {
            lock.unlock();
            cancelAll(dropped);
            if (arm) {
                armTimer(j);
            }
        }
    }

    private IllegalStateException shutDownException() {
        return new IllegalStateException("jobq '" + name + "' is shut down; it accepts no more jobs");
    }

    // ---- workers ----

    /** Forks a worker. Returns the jobs to cancel if the scope turned out to be cancelled, else null. */
    private List<Job> spawnLocked() {
        Worker w = new Worker();
        workers.add(w);
        try {
            w.tasklet = scope.fork("jobq-" + name + "-" + ++workerSeq, () -> {
                work(w);
                return null;
            });
        } catch (RuntimeException | Error e) {
            workers.remove(w);
            LOG.error("jobq '{}' could not start a worker; {} workers remain", name, workers.size(), e);
            return null;
        }
        if (w.tasklet.isDone() && !w.started) {
            workers.remove(w); // forked into a cancelled scope: it never runs
        }
        return stopIfScopeCancelledLocked();
    }

    private void work(Worker w) {
        TaskletImpl<?> me = WaitHints.current();
        // A worker waiting for a job is idle; one whose job runs past the watchdog's timeout is reported.
        Heartbeat hb = Watchdog.register("jobq " + name + " worker", Watchdog.defaultTimeout());
        try {
            for (; ; ) {
                hb.idle();
                Job job = take(w, me);
                if (job == null) {
                    return;
                }
                hb.beat();
                job.disarm(); // outside the lock: a timer that fires meanwhile finds it taken
                if (job.state == EXPIRED) {
                    if (LogStreams.JOBQ.enabled()) {
                        LogStreams.JOBQ.log("jobq '{}': a job's deadline had passed when a worker took it", name);
                    }
                    if (job.future != null) {
                        job.future.completeExceptionally(expiredException(job));
                    }
                    continue;
                }
                runJob(w, job, me);
                if (me.isCancelling()) {
                    return;
                }
                me.budget().checkpoint(); // a deep backlog must not keep this worker on its carrier
                Thread.interrupted(); // a job's stray self-interrupt must not hit the next job
            }
        } finally {
            hb.close();
            exit(w);
        }
    }

    /**
     * Records the job the worker just ran, then takes the next one: a job to run, an expired job
     * (already counted), or null when the worker should exit (shut down, idle above min, cancelled).
     */
    private Job take(Worker w, TaskletImpl<?> me) {
        long idleLeft = idleNanos;
        lock.lock();
        try {
            w.started = true;
            recordLocked(w);
            for (; ; ) {
                if (me.isCancelling()) {
                    return null;
                }
                Job j = lifo ? backlog.pollLast() : backlog.pollFirst();
                if (j != null) {
                    notFull.signal();
                    if (j.future != null && j.future.isDone()) {
                        j.state = DISCARDED;
                        j.disarm();
                        continue; // its future was cancelled while it waited
                    }
                    long now = System.nanoTime();
                    if (j.deadlineNanos != 0 && now - j.queuedAt > j.deadlineNanos) {
                        timeouts++;
                        j.state = EXPIRED;
                        return j;
                    }
                    j.state = TAKEN;
                    inflight++;
                    started++;
                    waitNanos += now - j.queuedAt;
                    w.jobStartedAt = now;
                    return j;
                }
                if (shutdown) {
                    retireLocked(w);
                    return null;
                }
                if (idleLeft <= 0) {
                    if (workers.size() > min) {
                        retireLocked(w);
                        return null;
                    }
                    idleLeft = idleNanos;
                }
                idle++;
                Object previous = Tasklets.blockingOn(hint);
                try {
                    idleLeft = notEmpty.awaitNanos(idleLeft);
                    me.waitedIfBudgeted();
                } catch (InterruptedException e) {
                    return null; // cancelled (or a stray interrupt: exit() replaces the worker if needed)
                } finally {
                    idle--;
                    Tasklets.unblocked(previous);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void runJob(Worker w, Job j, TaskletImpl<?> me) {
        boolean jobFailed = false;
        VirtualMachineError fatal = null;
        try {
            j.body.run();
        } catch (Throwable e) {
            boolean ownFailure = !me.isCancelling();
            if (ownFailure && LogStreams.JOBQ.enabled()) {
                // before the future completes, so that whoever waits on it finds the line written
                LogStreams.JOBQ.log("jobq '{}': job failed: {}", name, e);
            }
            if (j.future != null) {
                j.future.completeExceptionally(e);
            }
            if (ownFailure) {
                jobFailed = true;
                if (j.future == null) {
                    LOG.warn("job on jobq '{}' failed", name, e);
                }
            }
            if (e instanceof VirtualMachineError vme) {
                fatal = vme;
            }
        }
        w.lastRunNanos = System.nanoTime() - w.jobStartedAt;
        w.lastFailed = jobFailed;
        w.hasResult = true;
        if (fatal != null) {
            throw fatal; // the worker dies (the supervising scope logs it); exit() replaces it
        }
    }

    private void recordLocked(Worker w) {
        if (w.hasResult) {
            w.hasResult = false;
            inflight--;
            totalJobs++;
            runNanos += w.lastRunNanos;
            if (w.lastFailed) {
                failed++;
            }
        }
    }

    private void retireLocked(Worker w) {
        workers.remove(w);
        if (shutdown && workers.isEmpty()) {
            terminated.signalAll();
        }
    }

    private void exit(Worker w) {
        List<Job> dropped = null;
        lock.lock();
        try {
            recordLocked(w);
            workers.remove(w);
            dropped = stopIfScopeCancelledLocked();
            if (!shutdown && (workers.size() < min || (backlog.size() > idle && workers.size() < max))) {
                dropped = spawnLocked(); // the worker died or was interrupted with work left
            }
            if (shutdown && workers.isEmpty()) {
                terminated.signalAll();
            }
        } finally {
            lock.unlock();
            cancelAll(dropped);
        }
    }

    // ---- stopping ----

    /**
     * When the owner of the scope cancelled it, no worker can be started any more: stop like
     * {@code shutdownNow} so that nobody waits for room or for jobs that would never run.
     */
    private List<Job> stopIfScopeCancelledLocked() {
        return scope.isCancelled() && !(shutdown && backlog.isEmpty()) ? stopLocked() : null;
    }

    private List<Job> stopLocked() {
        shutdown = true;
        List<Job> dropped = new ArrayList<>(backlog);
        backlog.clear();
        for (Job j : dropped) {
            j.state = DISCARDED;
        }
        discarded += dropped.size();
        notEmpty.signalAll();
        notFull.signalAll();
        if (workers.isEmpty()) {
            terminated.signalAll();
        }
        return dropped;
    }

    private static void cancelAll(List<Job> dropped) {
        if (dropped != null) {
            for (Job j : dropped) {
                j.disarm();
                if (j.future != null) {
                    j.future.cancel(false);
                }
            }
        }
    }

    /**
     * Forgets workers that were forked but never ran because the scope was cancelled under them
     * (a tasklet cancelled before it starts never runs its task, so it cannot remove itself).
     */
    private void reapLocked() {
        workers.removeIf(w -> !w.started && w.tasklet != null && w.tasklet.isDone());
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            if (!shutdown) {
                shutdown = true;
                notEmpty.signalAll();
                notFull.signalAll();
                if (workers.isEmpty()) {
                    terminated.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int shutdownNow() {
        List<Job> dropped;
        lock.lock();
        try {
            dropped = stopLocked();
        } finally {
            lock.unlock();
        }
        cancelAll(dropped);
        scope.cancel();
        return dropped.size();
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutdown || scope.isCancelled();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        List<Job> dropped = null;
        lock.lock();
        try {
            dropped = settleIfCancelledLocked();
            return shutdown && workers.isEmpty();
        } finally {
            lock.unlock();
            cancelAll(dropped);
        }
    }

    /**
     * Once the scope was cancelled (its owner tasklet was): forgets the workers that never ran and, when
     * none is left, stops the queue as {@code shutdownNow} would. Without this a queue that had no worker
     * when its owner was cancelled (none started yet, or all retired idle) said it was shut down but never
     * terminated. Returns the jobs to cancel once the lock is released, or null.
     */
    private List<Job> settleIfCancelledLocked() {
        if (!scope.isCancelled()) {
            return null;
        }
        reapLocked();
        return workers.isEmpty() ? stopIfScopeCancelledLocked() : null;
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return awaitTermination(Durations.timeoutNanos(timeout), false);
    }

    private void checkNotAJob() {
        if (scope.isCallerInside()) {
            throw TaskletScope.selfWaitRefused("jobq '" + name + "'", "closed or awaited", "shutdown() does not wait");
        }
    }

    private boolean awaitTermination(long nanos, boolean forever) throws InterruptedException {
        checkNotAJob();
        long deadline = System.nanoTime() + nanos;
        List<Job> dropped = null;
        lock.lock();
        try {
            Object previous = Tasklets.blockingOn(hint);
            try {
                for (; ; ) {
                    List<Job> d = settleIfCancelledLocked();
                    if (d != null) {
                        dropped = d;
                    }
                    if (shutdown && workers.isEmpty()) {
                        break;
                    }
                    long left = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    if (scope.isCancelled()) {
                        terminated.awaitNanos(Math.min(left, REAP_POLL_NANOS));
                    } else if (forever) {
                        terminated.await();
                    } else {
                        terminated.awaitNanos(left);
                    }
                }
            } finally {
                Tasklets.unblocked(previous);
            }
        } finally {
            lock.unlock();
            cancelAll(dropped);
        }
        scope.close(-1); // the workers left the set; wait for their threads to end and unregister the scope
        LIVE.remove(this);
        return true;
    }

    @Override
    public void close() {
        checkNotAJob();
        shutdown();
        Uninterruptibly.await(() -> awaitTermination(0, true), this::shutdownNow);
    }

    // ---- observing ----

    @Override
    public Stats stats() {
        lock.lock();
        try {
            if (scope.isCancelled()) {
                reapLocked();
            }
            int want = inflight + backlog.size();
            int desired = Math.min(max, Math.max(shutdown ? 0 : min, want));
            return new Stats(
                    workers.size(),
                    desired,
                    totalJobs,
                    backlog.size(),
                    inflight,
                    timeouts,
                    started == 0 ? 0.0 : waitNanos / (double) started / 1e6,
                    totalJobs == 0 ? 0.0 : runNanos / (double) totalJobs / 1e6,
                    rejected,
                    failed,
                    discarded);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JobQueue['" + name + "' " + (lifo ? "LIFO" : "FIFO") + ", " + min + ".." + max + " workers, backlog "
                + capacity + "]";
    }
}
