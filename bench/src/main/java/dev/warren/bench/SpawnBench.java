package dev.warren.bench;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Spawn + join throughput: a batch of {@value #BATCH} tasks started, then all joined, as raw virtual
 * threads ({@code Thread.ofVirtual()}, the peer), as unstructured tasklets ({@code Tasklets.start}) and
 * as children of a scope ({@code fork} + {@code join}). Goal: tasklets >= 0.9x the raw rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
public class SpawnBench {
    static final int BATCH = 1000;

    private final Thread[] threads = new Thread[BATCH];

    @SuppressWarnings("unchecked")
    private final Tasklet<Integer>[] tasklets = new Tasklet[BATCH];

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawVirtualThreads(Blackhole bh) throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            int n = i;
            threads[i] = Thread.ofVirtual().name("raw").start(() -> bh.consume(n));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void taskletsStartJoin(Blackhole bh) throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            int n = i;
            tasklets[i] = Tasklets.start("bench", () -> n);
        }
        for (Tasklet<Integer> t : tasklets) {
            bh.consume(t.join());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void scopeForkJoin(Blackhole bh) throws InterruptedException {
        try (var scope = TaskletScope.failFast("bench").open()) {
            for (int i = 0; i < BATCH; i++) {
                int n = i;
                scope.fork("bench", () -> bh.consume(n));
            }
            scope.join();
        }
    }
}
