package dev.warren.tasklets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warren.tasklets.testing.Proof;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The channels' park/wake protocols on what Lincheck's model checker cannot run: virtual threads
 * (their parking goes through the JDK's scheduler, which the model checker does not control), timed
 * waits (real time) and interrupts, all mixed, over thousands of randomly configured rounds.
 *
 * <p>Each round: two channels A and B (random capacity 1-8, one of them sometimes single-consumer),
 * producers sending unique values to one of them, consumers receiving directly from one (blocking,
 * timed, or poll-then-receive) or selecting over both, an interrupter hitting random participants,
 * and the last producer of each channel closing it. Checked: every value received exactly once (no
 * element lost or duplicated, interrupted calls leave the channel unchanged), each producer's values
 * in order at each consumer, every consumer sees the end exactly once and only after the last value,
 * nobody is left parked (a lost wake-up leaves a participant parked, caught by a bounded join), and no
 * waiter node is left behind.
 */
@Tag(Proof.TAG)
class ChannelStressTest {
    private static final Duration JOIN_LIMIT = Duration.ofSeconds(60);

    @Test
    // Thread.yield: the interrupter spreads its interrupts over time; not a correctness assumption
    @SuppressWarnings("ThreadPriorityCheck")
    void everyValueOnceNoLostWakeUpCloseSeenOnce() throws Exception {
        Duration budget = Proof.budget(Duration.ofSeconds(5), Duration.ofMinutes(3));
        long end = System.nanoTime() + budget.toNanos();
        SplittableRandom seeds = new SplittableRandom();
        long rounds = 0;
        AtomicLong handoffs = new AtomicLong();
        do {
            long seed = seeds.nextLong();
            try {
                round(new SplittableRandom(seed), handoffs);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("round " + rounds + " with seed " + seed + " failed", e);
            }
            rounds++;
        } while (System.nanoTime() < end);
        System.out.printf("ChannelStressTest: %d rounds, %d values handed over%n", rounds, handoffs.get());
    }

    @SuppressWarnings("ThreadPriorityCheck") // see everyValueOnceNoLostWakeUpCloseSeenOnce
    private static void round(SplittableRandom rnd, AtomicLong handoffs) throws Exception {
        boolean virtual = rnd.nextBoolean();
        int producersA = 1 + rnd.nextInt(3);
        int producersB = rnd.nextInt(3);
        int perProducer = 50 + rnd.nextInt(400);
        boolean singleConsumerA = rnd.nextInt(4) == 0;
        ArrayChannel<Long> a = (ArrayChannel<Long>) channel("A", 1 + rnd.nextInt(8), singleConsumerA);
        ArrayChannel<Long> b = (ArrayChannel<Long>) channel("B", 1 + rnd.nextInt(8), false);

        // consumers: if A is single-consumer, exactly one thread receives from it (direct), none selects
        List<String> kinds = new ArrayList<>();
        if (singleConsumerA) {
            kinds.add("A");
            kinds.add("B");
        } else {
            kinds.add("select");
            int more = rnd.nextInt(3);
            String[] choice = {"A", "B", "select"};
            for (int i = 0; i < more; i++) {
                kinds.add(choice[rnd.nextInt(choice.length)]);
            }
            kinds.add("B"); // B always has a direct consumer too
        }
        if (producersB == 0) {
            b.close();
        }

        Map<Long, String> received = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> participants = new ArrayList<>();
        AtomicInteger openA = new AtomicInteger(producersA);
        AtomicInteger openB = new AtomicInteger(producersB);

        for (int p = 0; p < producersA + producersB; p++) {
            boolean toA = p < producersA;
            long base = (long) p << 32;
            int mode = rnd.nextInt(3); // 0: send, 1: timed send, 2: offer then send
            participants.add(start(virtual, "producer-" + p, failure, () -> {
                ArrayChannel<Long> c = toA ? a : b;
                for (int i = 0; i < perProducer; i++) {
                    long v = base | i;
                    for (; ; ) {
                        try {
                            if (mode == 0) {
                                c.send(v);
                                break;
                            }
                            if (mode == 1 ? c.send(v, Duration.ofNanos(50_000)) : c.offer(v)) {
                                break;
                            }
                            if (mode == 2) {
                                // offer, then block: a virtual producer spinning on offer would hold its
                                // carrier and starve consumers started after it
                                c.send(v);
                                break;
                            }
                        } catch (InterruptedException e) {
                            // interrupted: the value was not sent; send it again
                        }
                    }
                }
                if ((toA ? openA : openB).decrementAndGet() == 0) {
                    c.close();
                }
            }));
        }
        for (int k = 0; k < kinds.size(); k++) {
            String kind = kinds.get(k);
            String name = "consumer-" + k + "-" + kind;
            int mode = rnd.nextInt(3);
            participants.add(start(virtual, name, failure, () -> consume(kind, mode, name, a, b, received)));
        }
        List<Thread> targets = List.copyOf(participants);
        int interrupts = rnd.nextInt(20);
        Thread interrupter = start(virtual, "interrupter", failure, () -> {
            SplittableRandom r = new SplittableRandom(interrupts);
            for (int i = 0; i < interrupts; i++) {
                targets.get(r.nextInt(targets.size())).interrupt();
                Thread.yield();
            }
        });
        participants.add(interrupter);

        long deadline = System.nanoTime() + JOIN_LIMIT.toNanos();
        for (Thread t : participants) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(Math.max(1, left)))) {
                fail("lost wake-up? " + t.getName() + " still " + t.getState() + " after " + JOIN_LIMIT + "; A " + a
                        + ", B " + b + ", " + received.size() + " values received\n" + stackOf(t));
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a participant failed", failure.get());
        }
        long expected = (long) (producersA + producersB) * perProducer;
        assertEquals(expected, received.size(), "values received exactly once (a duplicate fails at once)");
        assertEquals((long) producersA * perProducer, a.receivedCount(), "A received count");
        assertEquals(0, a.queuedWaiters() + b.queuedWaiters(), "waiter nodes left behind");
        handoffs.addAndGet(expected);
    }

    private static Channel<Long> channel(String name, int capacity, boolean singleConsumer) {
        Channel.Builder<Long> b = Channel.<Long>builder(capacity).name(name);
        if (singleConsumer) {
            b.singleConsumer();
        }
        return b.build();
    }

    /** Receives until the end, checking order per producer and that the end is seen once, after the last value. */
    private static void consume(
            String kind,
            int mode,
            String name,
            ArrayChannel<Long> a,
            ArrayChannel<Long> b,
            Map<Long, String> received) {
        Map<Long, Long> lastPerProducer = new java.util.HashMap<>();
        int ends = 0;
        for (; ; ) {
            Long v;
            try {
                if (kind.equals("select")) {
                    Selected<Long> s =
                            mode == 0 ? Select.receive(a, b) : Select.receive(Duration.ofNanos(20_000), a, b);
                    v = s == null ? null : s.value();
                } else {
                    ArrayChannel<Long> c = kind.equals("A") ? a : b;
                    v = switch (mode) {
                        case 0 -> c.receive();
                        case 1 -> c.receive(Duration.ofNanos(20_000));
                        default -> {
                            Long p = c.poll();
                            yield p != null ? p : c.receive();
                        }
                    };
                }
            } catch (InterruptedException e) {
                continue; // nothing was taken
            } catch (ChannelClosedException e) {
                ends++;
                break;
            }
            if (v == null) {
                continue; // timed out
            }
            String previous = received.putIfAbsent(v, name);
            if (previous != null) {
                throw new AssertionError(
                        "value " + Long.toHexString(v) + " received twice: by " + previous + " and " + name);
            }
            Long last = lastPerProducer.put(v >>> 32, v);
            if (last != null && last >= v) {
                throw new AssertionError(name + " got " + Long.toHexString(v) + " after " + Long.toHexString(last));
            }
        }
        // the end stays the end: every later receive says so again, no value appears after it
        try {
            if (kind.equals("select")) {
                Select.receive(a, b);
            } else {
                (kind.equals("A") ? a : b).receive();
            }
            throw new AssertionError(name + " received after the end");
        } catch (ChannelClosedException expected) {
            ends++;
        } catch (InterruptedException e) {
            ends++; // a late interrupt from the interrupter; the end was checked above
        }
        if (ends != 2) {
            throw new AssertionError(name + " saw the end " + ends + " times");
        }
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread start(boolean virtual, String name, AtomicReference<Throwable> failure, Body body) {
        Runnable r = () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        return (virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon())
                .name(name)
                .start(r);
    }

    private static String stackOf(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
