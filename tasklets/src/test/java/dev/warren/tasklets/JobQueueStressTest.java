package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warren.tasklets.testing.Proof;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The worker side of {@link JobQueue}, which Lincheck cannot run (see {@link JobQueueLincheckTest}):
 * thousands of randomly configured rounds of adders using every way of adding, idle timeouts short
 * enough that workers retire and are re-spawned all the time, and a shutdown or shutdownNow racing the
 * adds. Checked: never more jobs running than {@code maxConcurrency}; every accepted job either runs
 * exactly once or is counted discarded; the counters agree with what the adders saw; nobody hangs (a
 * bounded join of adders and of the close); after {@code close()} no worker tasklet is alive.
 */
@Tag(Proof.TAG)
class JobQueueStressTest {
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(60);

    @Test
    void limitsHoldAndNoJobIsLostOrRunTwice() throws Exception {
        Duration budget = Proof.budget(Duration.ofSeconds(4), Duration.ofMinutes(3));
        long end = System.nanoTime() + budget.toNanos();
        SplittableRandom seeds = new SplittableRandom();
        long rounds = 0;
        AtomicLong jobs = new AtomicLong();
        do {
            long seed = seeds.nextLong();
            try {
                round(new SplittableRandom(seed), rounds, jobs);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("round " + rounds + " with seed " + seed + " failed", e);
            }
            rounds++;
        } while (System.nanoTime() < end);
        System.out.printf("JobQueueStressTest: %d rounds, %d jobs run%n", rounds, jobs.get());
    }

    private static void round(SplittableRandom rnd, long roundNo, AtomicLong jobsRun) throws Exception {
        int min = rnd.nextInt(3);
        int max = Math.max(1, min) + rnd.nextInt(3);
        String name = "stress-" + roundNo;
        JobQueue q = JobQueue.builder(name)
                .minConcurrency(min)
                .maxConcurrency(max)
                .backlog(1 + rnd.nextInt(8))
                .order(rnd.nextBoolean() ? JobOrder.FIFO : JobOrder.LIFO)
                .idleTimeout(Duration.ofMillis(1 + rnd.nextInt(3)))
                .start();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Set<Long> ran = ConcurrentHashMap.newKeySet();
        Set<Long> accepted = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong(); // false from tryAdd or a timed add: counted as rejected
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int adders = 1 + rnd.nextInt(4);
        int perAdder = 20 + rnd.nextInt(200);
        int stopAfter = rnd.nextInt(3) == 0 ? rnd.nextInt(adders * perAdder) : -1;
        boolean now = rnd.nextBoolean();
        AtomicInteger added = new AtomicInteger();

        List<Thread> threads = new ArrayList<>();
        for (int a = 0; a < adders; a++) {
            long base = (long) a << 32;
            int mode = rnd.nextInt(4);
            threads.add(Thread.ofVirtual().name("adder-" + a).start(() -> {
                try {
                    for (int i = 0; i < perAdder; i++) {
                        long id = base | i;
                        CheckedRunnable job = () -> {
                            int r = running.incrementAndGet();
                            peak.accumulateAndGet(r, Math::max);
                            if (!ran.add(id)) {
                                failure.compareAndSet(null, new AssertionError("job " + id + " ran twice"));
                            }
                            running.decrementAndGet();
                        };
                        if (added.incrementAndGet() == stopAfter) {
                            if (now) {
                                q.shutdownNow();
                            } else {
                                q.shutdown();
                            }
                        }
                        try {
                            boolean in = switch (mode) {
                                case 0 -> q.tryAdd(job);
                                case 1 -> q.add(job, Duration.ofNanos(100_000));
                                case 2 -> {
                                    q.add(job);
                                    yield true;
                                }
                                default -> {
                                    // the job records its own run; a discarded one is counted by the queue
                                    var unused = q.submit(() -> {
                                        job.run();
                                        return null;
                                    });
                                    yield true;
                                }
                            };
                            if (in) {
                                accepted.add(id);
                            } else {
                                refused.incrementAndGet();
                            }
                        } catch (IllegalStateException shutDown) {
                            assertTrue(q.isShutdown(), "refused as shut down before shutdown: " + shutDown);
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : threads) {
            if (!t.join(JOIN_LIMIT)) {
                fail("adder " + t.getName() + " hung: " + t.getState() + ", " + q.stats());
            }
        }
        Thread closer = Thread.ofVirtual().name("closer").start(q::close);
        if (!closer.join(JOIN_LIMIT)) {
            fail("close() hung: " + q.stats());
        }
        if (failure.get() != null) {
            throw new AssertionError("round failed", failure.get());
        }
        JobQueue.Stats s = q.stats();
        assertTrue(peak.get() <= max, "peak concurrency " + peak.get() + " above max " + max);
        assertTrue(accepted.containsAll(ran), "ran a job that was not accepted");
        assertEquals(accepted.size(), ran.size() + s.discarded(), "accepted = ran + discarded, " + s);
        assertEquals(ran.size(), s.totalJobs(), "totalJobs, " + s);
        assertTrue(s.rejected() >= refused.get(), "rejected " + s.rejected() + " < refused " + refused.get());
        assertEquals(0, s.timeouts());
        assertEquals(0, s.concurrency(), "workers left: " + s);
        assertTrue(q.isTerminated());
        String prefix = "jobq-" + name + "-";
        assertTrue(Tasklets.snapshot().find(t -> t.name().startsWith(prefix)).isEmpty(), "a worker tasklet is alive");
        jobsRun.addAndGet(ran.size());
    }
}
