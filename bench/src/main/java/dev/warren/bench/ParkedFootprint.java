package dev.warren.bench;

import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.TaskletScope;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * N parked tasklets vs N parked raw virtual threads, measured in the same JVM one after the other:
 * spawn rate, heap per parked thread, and the time from releasing them (closing the channel they all
 * wait on) to the last one ending. Usage: {@code ParkedFootprint [N]} (default 1,000,000).
 */
public final class ParkedFootprint {
    private ParkedFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // Warm both paths so the first measurement does not pay for class loading and JIT.
        raw(Math.min(n, 50_000), false);
        tasklets(Math.min(n, 50_000), false);
        Result raw = raw(n, true);
        Result tasklets = tasklets(n, true);
        System.out.printf(Locale.ROOT, "%-22s %14s %16s %14s%n", "", "spawn/s", "heap B/parked", "release ms");
        print("raw virtual threads", raw);
        print("tasklets (scope.fork)", tasklets);
        System.out.printf(
                Locale.ROOT,
                "ratio tasklets/raw: spawn %.2fx, heap %.2fx, release %.2fx%n",
                tasklets.spawnPerSec / raw.spawnPerSec,
                (double) tasklets.heapPerThread / raw.heapPerThread,
                tasklets.releaseMs / raw.releaseMs);
    }

    record Result(double spawnPerSec, long heapPerThread, double releaseMs) {}

    private static void print(String what, Result r) {
        System.out.printf(
                Locale.ROOT, "%-22s %,14.0f %,16d %,14.1f%n", what, r.spawnPerSec, r.heapPerThread, r.releaseMs);
    }

    private static Result raw(int n, boolean measure) throws InterruptedException {
        Channel<String> gate = Channel.bounded(1);
        CountDownLatch parked = new CountDownLatch(n);
        Thread[] threads = new Thread[n];
        long heap0 = measure ? heapAfterGc() : 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            threads[i] = Thread.ofVirtual().name("raw").start(() -> waitOn(gate, parked));
        }
        long spawn = System.nanoTime() - t0;
        parked.await();
        long heap1 = measure ? heapAfterGc() : 0;
        long t1 = System.nanoTime();
        gate.close();
        for (Thread t : threads) {
            t.join();
        }
        long release = System.nanoTime() - t1;
        // The Thread[] array (8 bytes a slot at most) is part of the raw measurement; subtract it.
        return new Result(n / (spawn / 1e9), (heap1 - heap0) / n - 8, release / 1e6);
    }

    private static Result tasklets(int n, boolean measure) throws InterruptedException {
        Channel<String> gate = Channel.bounded(1);
        CountDownLatch parked = new CountDownLatch(n);
        long heap0 = measure ? heapAfterGc() : 0;
        try (var scope = TaskletScope.supervise("parked").open()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                scope.fork("parked", () -> waitOn(gate, parked));
            }
            long spawn = System.nanoTime() - t0;
            parked.await();
            long heap1 = measure ? heapAfterGc() : 0;
            long t1 = System.nanoTime();
            gate.close();
            scope.join();
            long release = System.nanoTime() - t1;
            return new Result(n / (spawn / 1e9), (heap1 - heap0) / n, release / 1e6);
        }
    }

    private static void waitOn(Channel<String> gate, CountDownLatch parked) {
        parked.countDown();
        try {
            gate.receive();
        } catch (ChannelClosedException released) {
            // released
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
