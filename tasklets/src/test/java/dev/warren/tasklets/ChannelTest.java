package dev.warren.tasklets;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChannelTest {

    // ---- construction and arguments ----

    @Test
    void rejectsBadArgumentsNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> Channel.bounded(-3));
        assertEquals("capacity must be > 0, was -3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Channel.bounded(0));
        Channel<String> c = Channel.<String>builder(2).name("orders").build();
        var npe = assertThrows(NullPointerException.class, () -> c.send(null));
        assertTrue(npe.getMessage().contains("orders"), npe.getMessage());
        assertThrows(NullPointerException.class, () -> c.offer(null));
        var iae = assertThrows(IllegalArgumentException.class, () -> c.receive(Duration.ofMillis(-1)));
        assertTrue(iae.getMessage().contains("PT-0.001S"), iae.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.send("x", Duration.ofSeconds(-1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> Channel.builder(4)
                        .singleConsumer()
                        .overflow(OverflowPolicy.DROP_OLDEST)
                        .build());
    }

    @Test
    void describesItself() {
        Channel<Integer> c = Channel.<Integer>builder(8)
                .name("orders")
                .overflow(OverflowPolicy.FAIL)
                .build();
        assertEquals("orders", c.name());
        assertEquals(8, c.capacity());
        assertEquals(OverflowPolicy.FAIL, c.overflowPolicy());
        assertTrue(Channel.bounded(1).name().startsWith("channel-"));
    }

    @Test
    void capacityIsExactNotRoundedToAPowerOfTwo() {
        for (int cap : new int[] {1, 2, 3, 5, 1000}) {
            for (boolean sc : new boolean[] {false, true}) {
                Channel.Builder<Integer> b = Channel.builder(cap);
                Channel<Integer> c = (sc ? b.singleConsumer() : b).build();
                for (int i = 0; i < cap; i++) {
                    assertTrue(c.offer(i), "cap " + cap + " value " + i);
                }
                assertFalse(c.offer(-1), "cap " + cap);
                assertEquals(cap, c.size());
                assertEquals(0, c.poll());
                assertTrue(c.offer(cap));
                assertFalse(c.offer(-1));
            }
        }
    }

    @Test
    void fifoAndCounters() throws InterruptedException {
        Channel<Integer> c = Channel.bounded(4);
        c.send(1);
        c.send(2);
        assertTrue(c.send(3, Duration.ZERO));
        assertEquals(1, c.receive());
        assertEquals(2, c.receive(Duration.ZERO));
        assertEquals(3, c.poll());
        assertNull(c.poll());
        assertEquals(3, c.sentCount());
        assertEquals(3, c.receivedCount());
        assertEquals(0, c.droppedCount());
        assertEquals(0, c.size());
    }

    // ---- overflow policies ----

    @Test
    void dropNewestDiscardsTheNewValueAndCountsIt() throws InterruptedException {
        Channel<Integer> c =
                Channel.<Integer>builder(2).overflow(OverflowPolicy.DROP_NEWEST).build();
        c.send(1);
        c.send(2);
        c.send(3);
        assertFalse(c.send(4, Duration.ofSeconds(5)));
        assertFalse(c.offer(5));
        assertEquals(3, c.droppedCount());
        assertEquals(2, c.sentCount());
        assertEquals(1, c.receive());
        assertEquals(2, c.receive());
        assertNull(c.poll());
        assertEquals(0, c.rejectedCount());
    }

    @Test
    void dropOldestEvictsTheOldestAndCountsIt() throws InterruptedException {
        Channel<Integer> c =
                Channel.<Integer>builder(3).overflow(OverflowPolicy.DROP_OLDEST).build();
        for (int i = 1; i <= 5; i++) {
            c.send(i);
        }
        assertTrue(c.offer(6));
        assertEquals(3, c.droppedCount());
        assertEquals(6, c.sentCount());
        assertEquals(List.of(4, 5, 6), List.of(c.receive(), c.receive(), c.receive()));
        assertEquals(3, c.receivedCount());
        assertEquals(0, c.size());
    }

    @Test
    void failThrowsAndCountsTheRefusal() throws InterruptedException {
        Channel<Integer> c = Channel.<Integer>builder(1)
                .name("f")
                .overflow(OverflowPolicy.FAIL)
                .build();
        c.send(1);
        var e = assertThrows(ChannelFullException.class, () -> c.send(2));
        assertEquals("f", e.channelName());
        assertThrows(ChannelFullException.class, () -> c.send(3, Duration.ofSeconds(1)));
        assertFalse(c.offer(4));
        assertEquals(2, c.rejectedCount());
        assertEquals(0, c.droppedCount());
        assertEquals(1, c.receive());
    }

    // ---- timeouts ----

    @Test
    void timedReceiveReturnsNullAfterTheTimeout() throws InterruptedException {
        ArrayChannel<Integer> c = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        long t0 = System.nanoTime();
        assertNull(c.receive(Duration.ofMillis(30)));
        long took = System.nanoTime() - t0;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(30), "returned early: " + took);
        assertNull(c.receive(Duration.ZERO));
        assertEquals(0, c.queuedWaiters());
    }

    @Test
    void timedSendReturnsFalseAfterTheTimeoutAndDoesNotSend() throws InterruptedException {
        ArrayChannel<Integer> c = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        c.send(1);
        long t0 = System.nanoTime();
        assertFalse(c.send(2, Duration.ofMillis(30)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(30));
        assertEquals(1, c.sentCount());
        assertEquals(1, c.receive());
        assertNull(c.poll());
        assertEquals(0, c.queuedWaiters());
    }

    @Test
    void repeatedTimeoutsLeaveNoWaitersBehind() throws InterruptedException {
        ArrayChannel<Integer> c = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        for (int i = 0; i < 200; i++) {
            assertNull(c.receive(Duration.ofNanos(1_000)));
        }
        c.send(1);
        for (int i = 0; i < 200; i++) {
            assertFalse(c.send(2, Duration.ofNanos(1_000)));
        }
        assertEquals(0, c.queuedWaiters());
    }

    @Test
    void timedReceiveGetsAValueSentWhileItWaits() throws Exception {
        Channel<Integer> c = Channel.bounded(1);
        Tasklet<Integer> rx = Tasklets.start("timed-rx", () -> c.receive(Duration.ofSeconds(10)));
        awaitWaitingOn("timed-rx", "receive on");
        c.send(7);
        assertEquals(7, rx.join());
    }

    // ---- closing ----

    @Test
    void receiversDrainThenSeeClosed() throws InterruptedException {
        Channel<Integer> c = Channel.<Integer>builder(3).name("drain").build();
        c.send(1);
        c.send(2);
        c.close();
        c.close();
        assertTrue(c.isClosed());
        var e = assertThrows(ChannelClosedException.class, () -> c.send(3));
        assertEquals("drain", e.channelName());
        assertThrows(ChannelClosedException.class, () -> c.offer(3));
        assertThrows(ChannelClosedException.class, () -> c.send(3, Duration.ofSeconds(1)));
        assertEquals(1, c.receive());
        assertEquals(2, c.receive(Duration.ofSeconds(1)));
        assertThrows(ChannelClosedException.class, c::receive);
        assertThrows(ChannelClosedException.class, () -> c.receive(Duration.ofSeconds(1)));
        assertNull(c.poll());
        assertEquals(2, c.sentCount());
    }

    @Test
    void closeWakesParkedReceiversAndSenders() throws Exception {
        Channel<Integer> empty = Channel.<Integer>builder(1).name("empty").build();
        Channel<Integer> full = Channel.<Integer>builder(1).name("full").build();
        full.send(0);
        List<Tasklet<Object>> parked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parked.add(Tasklets.start("close-rx-" + i, () -> catching(empty::receive)));
            int v = i + 1;
            parked.add(Tasklets.start(
                    "close-tx-" + i,
                    () -> catching(() -> {
                        full.send(v);
                        return "sent";
                    })));
        }
        for (int i = 0; i < 3; i++) {
            awaitWaitingOn("close-rx-" + i, "receive on channel 'empty'");
            awaitWaitingOn("close-tx-" + i, "send on channel 'full'");
        }
        empty.close();
        full.close();
        for (Tasklet<Object> t : parked) {
            assertInstanceOf(ChannelClosedException.class, t.join(Duration.ofSeconds(10)));
        }
        assertEquals(0, full.receive());
        assertThrows(ChannelClosedException.class, full::receive);
        assertEquals(1, full.sentCount());
    }

    // ---- interrupts ----

    @Test
    void interruptingAParkedReceiverThrowsAndLeavesTheChannelUsable() throws Exception {
        ArrayChannel<Integer> c = (ArrayChannel<Integer>) Channel.<Integer>bounded(2);
        Tasklet<Object> rx = Tasklets.start("int-rx", () -> catching(c::receive));
        awaitWaitingOn("int-rx", "receive on");
        rx.cancel();
        assertThrows(java.util.concurrent.CancellationException.class, () -> rx.join(Duration.ofSeconds(10)));
        assertEquals(0, c.queuedWaiters());
        c.send(1);
        assertEquals(1, c.receive());
        assertEquals(1, c.receivedCount());
    }

    @Test
    void interruptingAParkedSenderThrowsAndDoesNotSend() throws Exception {
        ArrayChannel<Integer> c = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        c.send(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread tx = Thread.ofVirtual().name("int-tx").start(() -> {
            try {
                c.send(2);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> c.queuedWaiters() == 1);
        tx.interrupt();
        tx.join(Duration.ofSeconds(10));
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertEquals(0, c.queuedWaiters());
        assertEquals(1, c.sentCount());
        assertEquals(1, c.receive());
        assertNull(c.poll());
        c.send(3);
        assertEquals(3, c.receive());
    }

    @Test
    void blockingCallsThrowOnEntryWhenAlreadyInterrupted() {
        Channel<Integer> c = Channel.bounded(1);
        assertTrue(c.offer(1));
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, c::receive);
        assertFalse(Thread.interrupted());
        assertEquals(1, c.poll());
    }

    // ---- registry ----

    @Test
    void theRegistryShowsWhatAParkedTaskletWaitsOn() throws Exception {
        Channel<String> c = Channel.<String>builder(16).name("orders").build();
        Tasklet<String> rx = Tasklets.start("order-reader", () -> c.receive());
        awaitWaitingOn("order-reader", "receive on channel 'orders' (0/16)");
        c.send("o-1");
        assertEquals("o-1", rx.join(Duration.ofSeconds(10)));
        assertNull(Tasklets.snapshot()
                .find(t -> t.name().equals("order-reader"))
                .map(TaskletInfo::waitingOn)
                .orElse(null));
    }

    // ---- races ----

    /** A send that returned normally is always received, even when close races with it. */
    @RepeatedTest(30)
    void sendRacingWithCloseIsNeverLost() throws Exception {
        for (boolean sc : new boolean[] {false, true}) {
            Channel.Builder<Integer> b = Channel.builder(4);
            Channel<Integer> c = (sc ? b.singleConsumer() : b).build();
            int producers = 4;
            ConcurrentAccepted accepted = new ConcurrentAccepted(producers);
            CountDownLatch started = new CountDownLatch(producers);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                threads.add(Thread.ofVirtual().start(() -> {
                    started.countDown();
                    try {
                        for (int i = 0; i < 100_000; i++) {
                            c.send(id * 1_000_000 + i);
                            accepted.add(id, id * 1_000_000 + i);
                        }
                    } catch (ChannelClosedException expected) {
                        // the end of this producer
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            List<Integer> received = new ArrayList<>();
            started.await();
            for (int i = 0; i < 50; i++) {
                received.add(c.receive());
            }
            c.close();
            try {
                for (int i = 0; i < 1_000_000; i++) {
                    received.add(c.receive());
                }
            } catch (ChannelClosedException expected) {
                // drained
            }
            for (Thread t : threads) {
                assertTrue(t.join(Duration.ofSeconds(10)));
            }
            assertEquals(accepted.all(), new java.util.HashSet<>(received));
            assertEquals(received.size(), accepted.all().size());
            assertEquals(received.size(), c.sentCount());
        }
    }

    // ---- helpers ----

    /** Per-producer lists so producers do not contend on the record of what they sent. */
    static final class ConcurrentAccepted {
        private final List<List<Integer>> lists = new ArrayList<>();

        ConcurrentAccepted(int producers) {
            for (int i = 0; i < producers; i++) {
                lists.add(new ArrayList<>());
            }
        }

        void add(int producer, int value) {
            lists.get(producer).add(value);
        }

        java.util.Set<Integer> all() {
            java.util.Set<Integer> s = new java.util.HashSet<>();
            lists.forEach(s::addAll);
            return s;
        }
    }

    interface Call {
        Object call() throws Exception;
    }

    static Object catching(Call call) {
        try {
            return call.call();
        } catch (Exception e) {
            return e;
        }
    }

    static void awaitWaitingOn(String tasklet, String waitingOnPart) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Tasklets.snapshot()
                        .find(t -> t.name().equals(tasklet))
                        .map(TaskletInfo::waitingOn)
                        .filter(w -> w.contains(waitingOnPart))
                        .isPresent());
    }
}
