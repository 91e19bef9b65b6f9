package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Many senders and receivers at once: every value is received exactly once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelContentionTest {

    /** producers, consumers, capacity, virtual threads, single consumer, timed receives. */
    @ParameterizedTest(name = "{0}x{1} cap {2} virtual={3} sc={4} timed={5}")
    @CsvSource({
        "8, 8, 16, true, false, false",
        "8, 8, 16, false, false, false",
        "8, 8, 1, true, false, false",
        "8, 8, 3, false, false, true",
        "8, 8, 7, true, false, true",
        "1, 1, 1, true, false, false",
        "1, 1, 1, false, false, false",
        "1, 1, 64, true, true, false",
        "4, 1, 2, true, true, false",
        "4, 1, 2, false, true, false",
        "4, 1, 5, true, true, true",
        "4, 1, 1, false, false, false",
        "1, 4, 3, true, false, true",
    })
    void everyValueExactlyOnce(int producers, int consumers, int capacity, boolean virtual, boolean sc, boolean timed)
            throws Exception {
        for (int round = 0; round < 3; round++) {
            run(producers, consumers, capacity, virtual, sc, timed);
        }
    }

    private static void run(int producers, int consumers, int capacity, boolean virtual, boolean sc, boolean timed)
            throws Exception {
        int perProducer = capacity <= 2 && !virtual ? 5_000 : 10_000; // platform park/unpark is slow
        int total = producers * perProducer;
        Channel.Builder<Integer> b = Channel.<Integer>builder(capacity).name("contended");
        Channel<Integer> c = (sc ? b.singleConsumer() : b).build();
        Thread.Builder threads =
                virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<BitSet> seen = new ArrayList<>();
        AtomicLong sum = new AtomicLong();
        List<Thread> consumerThreads = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            BitSet mine = new BitSet(total);
            seen.add(mine);
            consumerThreads.add(threads.start(() -> {
                long local = 0;
                try {
                    for (int n = 0, limit = timed ? 1_000 * total : total; n <= limit; n++) {
                        Integer v = timed ? c.receive(Duration.ofNanos(50_000)) : c.receive();
                        if (v == null) {
                            continue; // timed out: try again (bounded by n)
                        }
                        if (mine.get(v)) {
                            throw new AssertionError("received twice: " + v);
                        }
                        mine.set(v);
                        local += v;
                    }
                    throw new AssertionError("consumer never saw the close");
                } catch (ChannelClosedException done) {
                    sum.addAndGet(local);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        List<Thread> producerThreads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            producerThreads.add(threads.start(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        c.send(base + i);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : producerThreads) {
            assertTrue(t.join(Duration.ofSeconds(20)), "producer stuck; channel " + c);
        }
        c.close();
        for (Thread t : consumerThreads) {
            assertTrue(t.join(Duration.ofSeconds(20)), "consumer stuck; channel " + c);
        }
        assertTrue(failures.isEmpty(), () -> failures.toString());
        BitSet all = new BitSet(total);
        int count = 0;
        for (BitSet s : seen) {
            assertTrue(!all.intersects(s), "a value went to two consumers");
            all.or(s);
            count += s.cardinality();
        }
        assertEquals(total, count);
        assertEquals(total, all.cardinality());
        assertEquals((long) total * (total - 1) / 2, sum.get());
        assertEquals(total, c.sentCount());
        assertEquals(total, c.receivedCount());
        assertEquals(0, ((ArrayChannel<Integer>) c).queuedWaiters());
    }
}
