package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Channel and select edge cases that mutation testing showed the example tests did not pin: null
 * values on every send, the results of timed sends and receives (in time, late, never), the wake-up
 * of a parked sender by a fast-path receive, very long timeouts, waiter nodes left behind by a select,
 * and the registry's "waiting on" hint after a timed wait.
 */
class ChannelEdgeCasesTest {
    private static final Duration SHORT = Duration.ofMillis(30);

    @Test
    void everySendRejectsNull() {
        Channel<String> c = Channel.bounded(2);
        assertThrows(NullPointerException.class, () -> c.send(null));
        assertThrows(NullPointerException.class, () -> c.send(null, SHORT));
        assertThrows(NullPointerException.class, () -> c.offer(null));
        assertEquals(0, c.size());
    }

    @Test
    void timedSendsSayWhetherTheValueWentIn() throws InterruptedException {
        Channel<Integer> c = Channel.bounded(1);
        assertTrue(c.send(1, SHORT), "room: in at once");
        long t0 = System.nanoTime();
        assertFalse(c.send(2, SHORT), "full for the whole timeout");
        assertTrue(System.nanoTime() - t0 >= SHORT.toNanos(), "gave up before the timeout");
        Channel<Integer> oldest =
                Channel.<Integer>builder(1).overflow(OverflowPolicy.DROP_OLDEST).build();
        oldest.offer(1);
        assertTrue(oldest.send(2, SHORT), "DROP_OLDEST: in, the oldest evicted");
        assertEquals(2, oldest.poll());
        Channel<Integer> newest =
                Channel.<Integer>builder(1).overflow(OverflowPolicy.DROP_NEWEST).build();
        newest.offer(1);
        assertFalse(newest.send(2, SHORT), "DROP_NEWEST: discarded");
    }

    @Test
    void aTimedSendGetsInWhenRoomIsMadeWhileItWaits() throws Exception {
        Channel<Integer> c = Channel.bounded(1);
        c.send(1);
        boolean[] in = new boolean[1];
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                in[0] = c.send(2, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(sender);
        assertEquals(1, c.receive());
        sender.join();
        assertTrue(in[0]);
        assertEquals(2, c.poll());
    }

    /** Until {@code t} is parked (in a channel, here): the state a blocked call ends up in. */
    private static void awaitParked(Thread t) {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
    }

    @Test
    void timedReceivesWaitTheirTimeAndNoLonger() throws Exception {
        Channel<Integer> c = Channel.bounded(1);
        long t0 = System.nanoTime();
        assertNull(c.receive(SHORT));
        assertTrue(System.nanoTime() - t0 >= SHORT.toNanos(), "returned before the timeout");
        Integer[] got = new Integer[1];
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                got[0] = c.receive(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(receiver);
        c.send(7);
        receiver.join();
        assertEquals(7, got[0]);
    }

    @Test
    void aTimeoutTooLongForNanosecondsMeansForever() throws Exception {
        Channel<Integer> c = Channel.bounded(1);
        Integer[] got = new Integer[1];
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                got[0] = c.receive(Duration.ofSeconds(Long.MAX_VALUE));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(receiver);
        c.send(3);
        receiver.join();
        assertEquals(3, got[0]);
    }

    @Test
    void aReceiveThatFindsAValueAtOnceWakesAParkedSender() throws Exception {
        Channel<Integer> c = Channel.bounded(1);
        c.send(1);
        CountDownLatch sent = new CountDownLatch(1);
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                c.send(2);
                sent.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(sender);
        assertEquals(1, c.receive()); // the fast path: a value was there
        assertTrue(sent.await(10, TimeUnit.SECONDS), "the parked sender was not woken");
        assertEquals(2, c.receive());
    }

    @Test
    void selectsTimeOutInTimeAndLeaveNoWaiterBehind() throws Exception {
        ArrayChannel<Integer> a = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        ArrayChannel<Integer> b = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        long t0 = System.nanoTime();
        assertNull(Select.receive(SHORT, a, b));
        assertTrue(System.nanoTime() - t0 >= SHORT.toNanos(), "returned before the timeout");
        assertNull(Select.receive(SHORT, List.of(a, b)));
        assertNull(Select.poll(a, b));
        b.send(5);
        Selected<Integer> s = Select.poll(a, b);
        assertNotNull(s);
        assertEquals(5, s.value());
        Object[] got = new Object[1];
        Thread selector = Thread.ofPlatform().start(() -> {
            try {
                got[0] = Select.receive(List.of(a, b)).value();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(selector);
        a.send(6);
        selector.join();
        assertEquals(6, got[0]);
        assertEquals(0, a.queuedWaiters() + b.queuedWaiters(), "the select's waiter is still queued somewhere");
    }

    @Test
    void aTimedWaitLeavesNoWaitingHintBehind() throws Exception {
        Channel<Integer> c = Channel.<Integer>builder(1).name("hinted").build();
        Channel<Integer> other = Channel.bounded(1);
        CountDownLatch waited = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Tasklet<Void> t = Tasklets.start("hint-check", () -> {
            c.receive(Duration.ofMillis(5));
            c.send(1);
            c.send(2, Duration.ofMillis(5)); // full: times out
            Select.receive(Duration.ofMillis(5), other);
            waited.countDown();
            done.await();
        });
        assertTrue(waited.await(10, TimeUnit.SECONDS));
        String hint = Tasklets.snapshot()
                .find(i -> i.name().equals("hint-check"))
                .map(TaskletInfo::waitingOn)
                .orElse("not found");
        done.countDown();
        t.join();
        assertFalse(hint != null && (hint.contains("channel") || hint.contains("select")), "stale hint: " + hint);
    }
}
