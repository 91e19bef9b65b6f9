package dev.warren.demos;

import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code ./tasklets_demo}: shows the runtime to a newcomer.
 *
 * <ul>
 *   <li>{@code ./tasklets_demo [--count N] [--cold] [--no-baseline]} starts N tasklets (default
 *       1,000,000) in one scope, all parked on a channel; prints the spawn rate and the heap used per
 *       parked tasklet; then closes the channel, which releases them all, and prints how long it took
 *       until every one had ended. Then it does the same with N raw virtual threads parked on one latch
 *       (the baseline, {@link RawVirtualThreads}) and prints the ratios. Three rounds of 10,000 come
 *       first, so that the JIT has seen a parked thread wake up (see {@code --cold}).</li>
 *   <li>{@code ./tasklets_demo tree [--seconds S]} runs a small "server" of nested scopes for S seconds
 *       (default 3) and prints the live tasklet tree once a second.</li>
 * </ul>
 */
final class TaskletsDemo {
    static final String USAGE = """
            usage: tasklets_demo [--count N] [--cold] [--no-baseline]
                                                      park N tasklets on a channel (default 1000000), report
                                                      spawn rate, heap per tasklet and join time, then the
                                                      same for N raw virtual threads (--no-baseline skips
                                                      them); a short warm-up comes first (--cold skips it)
                   tasklets_demo tree [--seconds S]   print a live tree of nested scopes once a second
                                                      for S seconds (default 3)""" + "\n" + AdminOption.USAGE + "\n" + ConsoleOption.USAGE + "\n" + ConfigOption.USAGE;

    private TaskletsDemo() {}

    static int run(String[] args) throws Exception {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        try {
            if (args.length > 0 && args[0].equals("tree")) {
                int seconds = intOption(args, 1, "--seconds", 3, 1, 3600);
                tree(seconds, out);
            } else {
                List<String> rest = new ArrayList<>(List.of(args));
                boolean cold = rest.remove("--cold");
                boolean baseline = !rest.remove("--no-baseline");
                int count = intOption(rest.toArray(String[]::new), 0, "--count", 1_000_000, 1, 10_000_000);
                park(count, !cold, baseline, out);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("tasklets_demo: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    /** Parses {@code [--name VALUE]} starting at {@code from}; anything else is an error naming it. */
    static int intOption(String[] args, int from, String name, int dflt, int min, int max) {
        int value = dflt;
        for (int i = from; i < args.length; i++) {
            if (!args[i].equals(name)) {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
            value = (int) Args.number(name, Args.value(args, i++), min, max);
        }
        return value;
    }

    /** What one run of {@code count} parked threads measured. */
    private record Run(long spawnNanos, long heapBytes, long releaseNanos) {}

    private static void park(int count, boolean warmUp, boolean baseline, PrintStream out) throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        if (warmUp) {
            // A cold JIT compiles the code after a park as never reached (no thread has woken yet),
            // and then deoptimizes it once for every parked thread it wakes: a million deoptimizations
            // turn a 2 s release into 15-20 s, for raw virtual threads as much as for tasklets.
            // A few small rounds first teach it that threads do wake.
            out.printf(
                    Locale.ROOT,
                    "warm-up  %d rounds of %,d (--cold skips it: the first wake-up of a million parked threads "
                            + "then pays a JIT deoptimization per thread, raw virtual threads alike)%n",
                    WARM_UP_ROUNDS,
                    WARM_UP_COUNT);
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                parkTasklets(WARM_UP_COUNT, memory, false);
                if (baseline) {
                    RawVirtualThreads.parkAndRelease(WARM_UP_COUNT);
                }
            }
        }
        out.printf(Locale.ROOT, "starting %,d tasklets, each parked on one channel...%n", count);
        Run tasklets = parkTasklets(count, memory, true, out);
        if (!baseline) {
            return;
        }
        out.printf(
                Locale.ROOT,
                "baseline %,d raw virtual threads, started and released the same way (one latch, no scope)...%n",
                count);
        long heapBefore = usedHeapAfterGc(memory);
        RawVirtualThreads.Result raw = RawVirtualThreads.parkAndRelease(count, () -> usedHeapAfterGc(memory));
        Run rawRun = new Run(raw.spawnNanos(), raw.heapParked() - heapBefore, raw.releaseNanos());
        report("raw", count, rawRun, out);
        out.printf(
                Locale.ROOT,
                "tasklets vs raw virtual threads: spawn %.2fx the time, heap %.2fx, release+join %.2fx the time%n",
                (double) tasklets.spawnNanos() / rawRun.spawnNanos(),
                (double) tasklets.heapBytes() / Math.max(1, rawRun.heapBytes()),
                (double) tasklets.releaseNanos() / rawRun.releaseNanos());
    }

    private static final int WARM_UP_ROUNDS = 3;
    private static final int WARM_UP_COUNT = 10_000;

    private static Run parkTasklets(int count, MemoryMXBean memory, boolean measureHeap) throws InterruptedException {
        return parkTasklets(count, memory, measureHeap, null);
    }

    private static Run parkTasklets(int count, MemoryMXBean memory, boolean measureHeap, PrintStream out)
            throws InterruptedException {
        Channel<String> gate = Channel.bounded(1);
        CountDownLatch parked = new CountDownLatch(count);
        long heapBefore = measureHeap ? usedHeapAfterGc(memory) : 0;
        try (var scope = TaskletScope.supervise("parked").open()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                scope.fork("parked", () -> {
                    parked.countDown();
                    try {
                        gate.receive();
                    } catch (ChannelClosedException released) {
                        // the demo's signal to end
                    }
                });
            }
            long spawnNanos = System.nanoTime() - t0;
            parked.await();
            long heapParked = measureHeap ? usedHeapAfterGc(memory) : 0;
            if (out != null) {
                out.printf(
                        Locale.ROOT, "parked   %,d tasklets; live in the registry: %,d%n", count, Tasklets.liveCount());
            }
            long t1 = System.nanoTime();
            gate.close();
            scope.join();
            Run run = new Run(spawnNanos, heapParked - heapBefore, System.nanoTime() - t1);
            if (out != null) {
                report("tasklets", count, run, out);
            }
            return run;
        }
    }

    private static void report(String what, int count, Run run, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "spawned  %,d %s in %,d ms: %,.0f/s%n",
                count,
                what,
                run.spawnNanos() / 1_000_000,
                count / (run.spawnNanos() / 1e9));
        out.printf(
                Locale.ROOT,
                "heap     %,d MB used by them: %,d bytes per parked thread%n",
                run.heapBytes() >> 20,
                run.heapBytes() / count);
        out.printf(
                Locale.ROOT,
                "released all; every one ended after %,d ms (%,.0f/s)%n",
                run.releaseNanos() / 1_000_000,
                count / (run.releaseNanos() / 1e9));
    }

    static long usedHeapAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** A small server: an acceptor forks connection tasklets, each runs requests in nested scopes. */
    private static void tree(int seconds, PrintStream out) throws InterruptedException {
        try (var server = TaskletScope.supervise("demo-server").open()) {
            server.fork("acceptor", () -> {
                for (int c = 1; ; c++) {
                    int conn = c;
                    server.fork("conn-" + conn, () -> connection(conn));
                    Thread.sleep(Duration.ofMillis(700));
                }
            });
            for (int s = 1; s <= seconds; s++) {
                Thread.sleep(Duration.ofSeconds(1));
                out.printf(
                        "--- live tasklets after %d s ---%n%s",
                        s, Tasklets.snapshot().toText());
            }
            server.cancel();
            server.join();
        }
        out.printf("--- after close ---%n%s", Tasklets.snapshot().toText());
    }

    private static void connection(int conn) throws InterruptedException {
        Channel<String> requests =
                Channel.<String>builder(16).name("conn-" + conn + "-requests").build();
        for (int r = 1; r <= 4; r++) {
            try (var request = TaskletScope.failFast("request-" + conn + "." + r)
                    .deadline(Duration.ofSeconds(2))
                    .open()) {
                request.fork(
                        "load-user",
                        () -> Thread.sleep(ThreadLocalRandom.current().nextInt(300, 900)));
                request.fork(
                        "load-cart",
                        () -> Thread.sleep(ThreadLocalRandom.current().nextInt(300, 900)));
                request.fork("wait-input", () -> requests.receive(Duration.ofMillis(600)));
                request.join();
            }
        }
    }
}
