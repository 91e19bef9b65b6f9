package dev.warren.tasklets;

import static dev.warren.tasklets.ChannelTest.awaitWaitingOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SelectTest {

    @Test
    void takesFromTheChannelThatHasAValue() throws InterruptedException {
        Channel<String> a = Channel.<String>builder(4).name("a").build();
        Channel<String> b = Channel.<String>builder(4).name("b").build();
        b.send("from b");
        Selected<String> s = Select.receive(a, b);
        assertSame(b, s.channel());
        assertEquals("from b", s.value());
        assertNull(Select.poll(a, b));
        assertEquals(1, b.receivedCount());
    }

    @Test
    void rejectsBadArguments() {
        Channel<String> a = Channel.bounded(1);
        assertThrows(IllegalArgumentException.class, () -> Select.receive(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Select.receive(Duration.ofMillis(-5), a));
        assertThrows(NullPointerException.class, () -> Select.receive(a, null));
    }

    @Test
    void blocksUntilAnyChannelGetsAValue() throws Exception {
        Channel<Integer> a = Channel.<Integer>builder(1).name("left").build();
        Channel<Integer> b = Channel.<Integer>builder(1).name("right").build();
        Tasklet<Selected<Integer>> sel = Tasklets.start("selector", () -> Select.receive(a, b));
        awaitWaitingOn("selector", "select on channel 'left' (0/1), channel 'right' (0/1)");
        b.send(42);
        Selected<Integer> s = sel.join(Duration.ofSeconds(10));
        assertSame(b, s.channel());
        assertEquals(42, s.value());
        assertEquals(0, ((ArrayChannel<Integer>) a).queuedWaiters());
        assertEquals(0, ((ArrayChannel<Integer>) b).queuedWaiters());
    }

    @Test
    void timesOutWithNull() throws InterruptedException {
        ArrayChannel<Integer> a = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        ArrayChannel<Integer> b = (ArrayChannel<Integer>) Channel.<Integer>bounded(1);
        long t0 = System.nanoTime();
        assertNull(Select.receive(Duration.ofMillis(30), a, b));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(30));
        for (int i = 0; i < 100; i++) {
            assertNull(Select.receive(Duration.ofNanos(1_000), a, b));
        }
        assertEquals(0, a.queuedWaiters() + b.queuedWaiters());
    }

    @Test
    void closedChannelsAreDrainedThenSkippedThenReported() throws InterruptedException {
        Channel<Integer> a = Channel.<Integer>builder(2).name("a").build();
        Channel<Integer> b = Channel.<Integer>builder(2).name("b").build();
        a.send(1);
        a.close();
        assertEquals(1, Select.receive(a, b).value());
        b.send(2);
        assertSame(b, Select.receive(a, b).channel());
        b.close();
        var e = assertThrows(ChannelClosedException.class, () -> Select.receive(a, b));
        assertEquals("a, b", e.channelName());
        assertNull(Select.poll(a, b));
    }

    @Test
    void closingTheLastChannelWakesAParkedSelect() throws Exception {
        Channel<Integer> a = Channel.<Integer>builder(1).name("x").build();
        Channel<Integer> b = Channel.<Integer>builder(1).name("y").build();
        a.close();
        Tasklet<Object> sel =
                Tasklets.start("closing-selector", () -> ChannelTest.catching(() -> Select.receive(a, b)));
        awaitWaitingOn("closing-selector", "select on");
        b.close();
        assertTrue(sel.join(Duration.ofSeconds(10)) instanceof ChannelClosedException);
    }

    @Test
    void interruptStopsAParkedSelectAndLeavesNoWaiters() throws Exception {
        ArrayChannel<Integer> a =
                (ArrayChannel<Integer>) Channel.<Integer>builder(1).name("i1").build();
        ArrayChannel<Integer> b =
                (ArrayChannel<Integer>) Channel.<Integer>builder(1).name("i2").build();
        Tasklet<Selected<Integer>> sel = Tasklets.start("int-selector", () -> Select.receive(a, b));
        awaitWaitingOn("int-selector", "select on");
        sel.cancel();
        assertThrows(CancellationException.class, () -> sel.join(Duration.ofSeconds(10)));
        assertEquals(0, a.queuedWaiters() + b.queuedWaiters());
        a.send(1);
        assertEquals(1, a.receive());
    }

    /** With both channels always ready, neither is starved. */
    @Test
    void isFairBetweenReadyChannels() throws InterruptedException {
        Channel<Integer> a = Channel.bounded(2000);
        Channel<Integer> b = Channel.bounded(2000);
        for (int i = 0; i < 2000; i++) {
            a.send(i);
            b.send(i);
        }
        int fromA = 0;
        for (int i = 0; i < 2000; i++) {
            if (Select.receive(a, b).channel() == a) {
                fromA++;
            }
        }
        assertTrue(fromA > 800 && fromA < 1200, "from a: " + fromA + " of 2000");
    }

    /** Producers on three channels, selectors and a plain receiver: every value exactly once. */
    @RepeatedTest(10)
    void contention() throws Exception {
        for (boolean virtual : new boolean[] {true, false}) {
            int perChannel = 20_000;
            List<Channel<Integer>> chans = List.of(Channel.bounded(1), Channel.bounded(3), Channel.bounded(16));
            Thread.Builder threads =
                    virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            int total = perChannel * chans.size();
            List<BitSet> seen = new ArrayList<>();
            List<Thread> consumers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                BitSet mine = new BitSet(total);
                seen.add(mine);
                boolean plain = i == 0;
                boolean timed = i == 1;
                consumers.add(threads.start(() -> {
                    try {
                        for (int n = 0; n <= 10 * total; n++) {
                            Integer v;
                            if (plain) {
                                v = chans.get(0).receive();
                            } else if (timed) {
                                Selected<Integer> s = Select.receive(Duration.ofNanos(20_000), chans);
                                v = s == null ? null : s.value();
                            } else {
                                v = Select.receive(chans).value();
                            }
                            if (v != null) {
                                if (mine.get(v)) {
                                    throw new AssertionError("twice: " + v);
                                }
                                mine.set(v);
                            }
                        }
                        throw new AssertionError("never saw the close");
                    } catch (ChannelClosedException done) {
                        // all closed and drained
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            List<Thread> producers = new ArrayList<>();
            for (int ch = 0; ch < chans.size(); ch++) {
                Channel<Integer> c = chans.get(ch);
                int base = ch * perChannel;
                for (int half = 0; half < 2; half++) {
                    int from = base + half * perChannel / 2;
                    producers.add(threads.start(() -> {
                        try {
                            for (int i = 0; i < perChannel / 2; i++) {
                                c.send(from + i);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }));
                }
            }
            for (Thread t : producers) {
                assertTrue(t.join(Duration.ofSeconds(15)), "producer stuck: " + chans);
            }
            chans.forEach(Channel::close);
            for (Thread t : consumers) {
                assertTrue(t.join(Duration.ofSeconds(15)), "consumer stuck: " + chans);
            }
            assertTrue(failures.isEmpty(), failures::toString);
            BitSet all = new BitSet();
            int count = 0;
            for (BitSet s : seen) {
                all.or(s);
                count += s.cardinality();
            }
            assertEquals(total, count);
            assertEquals(total, all.cardinality());
        }
    }
}
