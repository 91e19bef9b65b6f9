package dev.warren.bench;

import dev.warren.tasklets.JobQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Dispatch overhead of a {@link JobQueue}: one thread adds {@value #JOBS} empty jobs and waits until all
 * have run, against the JDK's virtual-thread-per-task executor and a {@link ThreadPoolExecutor} with the
 * same concurrency. Scores are per job.
 *
 * <pre>{@code java -cp bench/target/classes:$(cat /tmp/jq-cp.txt) org.openjdk.jmh.Main JobQueueBench}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JobQueueBench {
    static final int JOBS = 10_000;

    @Param({"1", "4"})
    int concurrency;

    private JobQueue jobq;
    private ExecutorService virtualPerTask;
    private ThreadPoolExecutor pool;

    @Setup(Level.Trial)
    public void setUp() {
        jobq = JobQueue.builder("bench")
                .minConcurrency(concurrency)
                .maxConcurrency(concurrency)
                .backlog(JOBS)
                .start();
        virtualPerTask = Executors.newVirtualThreadPerTaskExecutor();
        pool = new ThreadPoolExecutor(concurrency, concurrency, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(JOBS));
        pool.prestartAllCoreThreads();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jobq.close();
        virtualPerTask.close();
        pool.close();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void jobQueue() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(JOBS);
        for (int i = 0; i < JOBS; i++) {
            jobq.add(done::countDown);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void virtualThreadPerTask() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(JOBS);
        for (int i = 0; i < JOBS; i++) {
            virtualPerTask.execute(done::countDown);
        }
        done.await();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void threadPoolExecutor() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(JOBS);
        for (int i = 0; i < JOBS; i++) {
            pool.execute(done::countDown);
        }
        done.await();
    }
}
