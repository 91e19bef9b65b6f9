package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Busy tasklets that never wait (twice as many as there are carriers, so every carrier is taken) must
 * leave room for everything else: a tasklet started from a platform thread, a wake-up sent from a
 * platform thread, a timer. Without fairness the JDK's scheduler runs the busy tasklets and nothing
 * else until they stop (run this class with {@code -Dwarren.fairness.sliceMicros=0} to see the
 * bystander tests fail). The waits are liveness bounds, not timings: the busy tasklets run until the
 * bystander is through, however long that takes.
 */
class FairnessTest {
    private static final Duration LIVENESS = Duration.ofSeconds(30);

    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Tasklet<Void>> busy = new ArrayList<>();
    private AtomicLongArray units;

    /** Starts {@code n} tasklets that each do 2 µs units of work with a checkpoint after each, until stopped. */
    private void startBusy(int n) {
        units = new AtomicLongArray(n);
        for (int i = 0; i < n; i++) {
            int me = i;
            busy.add(Tasklets.start("busy-" + i, () -> {
                while (!stop.get() && !Thread.currentThread().isInterrupted()) {
                    long t = System.nanoTime();
                    while (System.nanoTime() - t < 2_000) {
                        Thread.onSpinWait();
                    }
                    units.incrementAndGet(me);
                    Fairness.checkpoint();
                }
            }));
        }
        // every busy tasklet has run: the carriers are taken before the bystander comes
        await().atMost(LIVENESS).until(() -> {
            for (int i = 0; i < n; i++) {
                if (units.get(i) == 0) {
                    return false;
                }
            }
            return true;
        });
    }

    private static int saturating() {
        return Math.min(64, 2 * SchedulerLoad.PARALLELISM);
    }

    @AfterEach
    void stopBusy() throws Exception {
        stop.set(true);
        for (Tasklet<Void> t : busy) {
            try {
                t.join(LIVENESS);
            } catch (java.util.concurrent.CancellationException cancelledByTheTest) {
                // ended all the same
            }
        }
        // every place among the busy tasklets was given back as they ended
        await().atMost(LIVENESS).until(() -> FairGate.INSTANCE.holders() == 0 && FairGate.INSTANCE.waiting() == 0);
    }

    @RepeatedTest(3)
    void aTaskletStartedFromAPlatformThreadRunsWhileBusyTaskletsHoldEveryCarrier() throws Exception {
        startBusy(saturating());
        CountDownLatch ran = new CountDownLatch(1);
        Tasklets.start("bystander", ran::countDown);
        assertTrue(ran.await(LIVENESS.toSeconds(), TimeUnit.SECONDS), "the bystander never ran");
        assertTrue(!stop.get() && busyStillRunning(), "the busy tasklets stopped first");
    }

    @RepeatedTest(3)
    void aWakeUpFromAPlatformThreadIsServedWhileBusyTaskletsHoldEveryCarrier() throws Exception {
        Channel<String> inbox = Channel.bounded(1);
        CountDownLatch waiting = new CountDownLatch(1);
        Tasklet<String> receiver = Tasklets.start("receiver", () -> {
            waiting.countDown();
            return inbox.receive();
        });
        waiting.await();
        startBusy(saturating());
        inbox.send("wake up"); // from this platform thread, as the JDK's poller wakes a socket's tasklet
        assertEquals("wake up", receiver.join(LIVENESS));
        assertTrue(busyStillRunning(), "the busy tasklets stopped first");
    }

    @Test
    void aSleepingTaskletWakesWhileBusyTaskletsHoldEveryCarrier() throws Exception {
        startBusy(saturating());
        Tasklet<Void> sleeper = Tasklets.start("sleeper", () -> Thread.sleep(1));
        sleeper.join(LIVENESS);
        assertTrue(busyStillRunning(), "the busy tasklets stopped first");
    }

    @Test
    void everyBusyTaskletKeepsMakingProgress() throws Exception {
        int n = saturating();
        startBusy(n);
        long[] before = new long[n];
        for (int i = 0; i < n; i++) {
            before[i] = units.get(i);
        }
        await().atMost(LIVENESS).until(() -> {
            for (int i = 0; i < n; i++) {
                if (units.get(i) <= before[i] + 100) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void busyTaskletsWaitingTheirTurnStopPromptlyWhenCancelled() throws Exception {
        startBusy(saturating());
        for (Tasklet<Void> t : busy) {
            t.cancel(); // a tasklet waiting for its turn in the gate must leave it at once to see this
        }
        for (Tasklet<Void> t : busy) {
            assertThrows(java.util.concurrent.CancellationException.class, () -> t.join(LIVENESS));
        }
        await().atMost(LIVENESS).until(() -> FairGate.INSTANCE.holders() == 0 && FairGate.INSTANCE.waiting() == 0);
    }

    @Test
    void aTaskletThatWaitsBetweenItsUnitsNeverRunsPastItsSlice() throws Exception {
        Channel<Integer> work = Channel.bounded(1);
        Tasklet<Long> consumer = Tasklets.start("consumer", () -> {
            Fairness.Budget b = Fairness.budget();
            for (; ; ) {
                if (work.receive() < 0) { // parks every time: each unit starts a new turn
                    return b.sliceEnds;
                }
                long t = System.nanoTime();
                while (System.nanoTime() - t < 100_000) { // 100 µs per unit: 16 of them are far past a slice
                    Thread.onSpinWait();
                }
                b.checkpoint();
            }
        });
        Thread consumerThread = ((TaskletImpl<?>) consumer).thread();
        for (int i = 0; i <= 64; i++) {
            // send only once the consumer is parked in receive, so that every unit follows a wait
            await().atMost(LIVENESS).until(() -> consumerThread.getState() == Thread.State.WAITING);
            work.send(i < 64 ? i : -1);
        }
        assertEquals(0L, consumer.join(LIVENESS));
    }

    @Test
    void aTaskletThatNeverWaitsRunsPastItsSliceAndTakesItsTurn() throws Exception {
        Tasklet<Long> looper = Tasklets.start("looper", () -> {
            Fairness.Budget b = Fairness.budget();
            long end = System.nanoTime() + 20 * Fairness.SLICE_NANOS;
            while (System.nanoTime() < end) {
                b.checkpoint();
            }
            return b.sliceEnds;
        });
        assertTrue(looper.join(LIVENESS) > 0, "a tasklet busy for 20 slices ended none");
    }

    @Test
    void outsideATaskletEverythingIsANoOp() {
        Fairness.Budget b = Fairness.budget();
        for (int i = 0; i < 10_000; i++) {
            b.checkpoint();
            Fairness.checkpoint();
        }
        Fairness.waited();
        Fairness.afterBlockingCall(1_000_000);
        assertEquals(0, b.sliceEnds);
    }

    @Test
    void theSlicePropertyIsCheckedAndNamesTheBadValue() {
        assertEquals(250_000, Fairness.sliceNanos(null));
        assertEquals(1_000_000, Fairness.sliceNanos(" 1000 "));
        assertEquals(0, Fairness.sliceNanos("0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fairness.sliceNanos("fast"));
        assertTrue(
                e.getMessage().contains("warren.fairness.sliceMicros")
                        && e.getMessage().contains("'fast'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Fairness.sliceNanos("-5"));
        assertTrue(e.getMessage().contains("was -5"), e.getMessage());
    }

    private boolean busyStillRunning() {
        for (Tasklet<Void> t : busy) {
            if (t.isDone()) {
                return false;
            }
        }
        return true;
    }
}
