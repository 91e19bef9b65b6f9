package dev.warren.bench;

import dev.warren.streaming.Backpressure;
import dev.warren.streaming.Emitter;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keyed sliding windows fed by in-process emit (issue 6 §4): N events over K keys, sliding 5 s / 1 s,
 * count + sum per key, processing time. Side by side in one JVM, alternating rounds:
 * <ul>
 *   <li><b>warren emit / emitAll(256)</b> — {@code StreamJob}: the caller emits ready events; each of S shard tasklets owns its
 *       keys (MPSC inbox, HashMap, pane-based windows).</li>
 *   <li><b>trafilo</b> — trafilo's design in Java: the caller pushes onto one bounded queue; W platform
 *       worker threads take from it and update a hash map of B buckets, each behind its own lock, where
 *       every key keeps the timestamps and values of its last 5 s (trafilo's window), summed when a
 *       slide emits.</li>
 * </ul>
 * The rate is events / (time from the first emit until every event was applied); the final flush at
 * close is timed separately. Both sinks count the windows and check that every event was counted.
 *
 * <pre>
 * mvn -B -q -pl tasklets,net,streaming,bench package -DskipTests
 * java -Xmx8g -cp 'bench/target/classes:bench/target/lib/*' dev.warren.bench.StreamThroughput [events] [keys...]
 * </pre>
 */
public final class StreamThroughput {
    private static final Duration SIZE = Duration.ofSeconds(5);
    private static final Duration SLIDE = Duration.ofSeconds(1);

    private StreamThroughput() {}

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        List<Integer> keySets = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            keySets.add(Integer.parseInt(args[i]));
        }
        if (keySets.isEmpty()) {
            keySets = List.of(1_000, 1_000_000);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int shards = Integer.getInteger("shards", cores);
        int workers = Integer.getInteger("workers", cores);
        int rounds = Integer.getInteger("rounds", 3);
        System.out.printf(
                Locale.ROOT,
                "# %d cores, java %s, %,d events, sliding %s/%s count+sum, shards=%d, workers=%d%n",
                cores,
                Runtime.version(),
                events,
                SIZE,
                SLIDE,
                shards,
                workers);
        for (int keys : keySets) {
            String[] names = new String[keys];
            for (int i = 0; i < keys; i++) {
                names[i] = "k" + i;
            }
            warren(names, Math.min(events, 1_000_000), shards, 1); // warm-up
            warren(names, Math.min(events, 1_000_000), shards, 256);
            trafilo(names, Math.min(events, 1_000_000), workers);
            double bestW = 0;
            double bestB = 0;
            double bestT = 0;
            for (int r = 0; r < rounds; r++) {
                bestW = Math.max(bestW, warren(names, events, shards, 1));
                bestB = Math.max(bestB, warren(names, events, shards, 256));
                bestT = Math.max(bestT, trafilo(names, events, workers));
            }
            System.out.printf(
                    Locale.ROOT,
                    "RESULT keys=%,d  warren emit %.2f M ev/s (%.1fx)  warren emitAll(256) %.2f M ev/s (%.1fx)"
                            + "  trafilo-style %.2f M ev/s (1.0x)%n",
                    keys,
                    bestW / 1e6,
                    bestW / bestT,
                    bestB / 1e6,
                    bestB / bestT,
                    bestT / 1e6);
        }
    }

    private static double warren(String[] keys, long n, int shards, int batch) throws InterruptedException {
        AtomicLong counted = new AtomicLong();
        AtomicLong windows = new AtomicLong();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("bench")
                .keyBy(KeyValue::key)
                .shards(shards)
                .queueCapacity(16_384)
                .window(Windows.sliding(SIZE, SLIDE), Aggregators.stats(KeyValue::value))
                .sink((r, s) -> {
                    windows.incrementAndGet();
                    counted.addAndGet(r.value().count());
                })
                .start();
        Emitter<KeyValue> em = job.eventEmitter("bench", Backpressure.BLOCK);
        System.gc();
        long t0 = System.nanoTime();
        int k = keys.length;
        if (batch <= 1) {
            for (long i = 0; i < n; i++) {
                em.emit(new KeyValue(keys[(int) (i % k)], 1, KeyValue.NO_TIMESTAMP));
            }
        } else {
            List<KeyValue> buf = new ArrayList<>(batch);
            for (long i = 0; i < n; i++) {
                buf.add(new KeyValue(keys[(int) (i % k)], 1, KeyValue.NO_TIMESTAMP));
                if (buf.size() == batch) {
                    em.emitAll(buf);
                    buf.clear();
                }
            }
            em.emitAll(buf);
        }
        while (job.stats().eventsIn() < n) {
            Thread.onSpinWait();
        }
        long t1 = System.nanoTime();
        job.close();
        long t2 = System.nanoTime();
        double rate = n * 1e9 / (t1 - t0);
        check("warren", counted.get(), n);
        System.out.printf(
                Locale.ROOT,
                "warren %-7s keys=%,9d  %,6.2f M ev/s  (%,d ms; close+flush %,d ms, %,d windows)%n",
                batch <= 1 ? "emit" : "emitAll",
                k,
                rate / 1e6,
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                windows.get());
        return rate;
    }

    /** Every event is in 5 sliding windows. */
    private static void check(String who, long counted, long n) {
        if (counted != 5 * n) {
            throw new AssertionError(who + ": windows counted " + counted + " events, expected 5 x " + n);
        }
    }

    // ---- trafilo's design: one bounded queue, a worker pool, a lock per hash bucket ----

    private record Ev(String key, double value, long ts) {}

    /** A key's window as trafilo keeps it: every event of the retention horizon. */
    private static final class KeyWindow {
        final ArrayDeque<long[]> times = new ArrayDeque<>(); // {ts, value bits}
        long lastEmitEnd = Long.MIN_VALUE;
    }

    private static final class Bucket {
        final ReentrantLock lock = new ReentrantLock();
        final HashMap<String, KeyWindow> keys = new HashMap<>();
    }

    private static double trafilo(String[] keys, long n, int workerCount) throws InterruptedException {
        long sizeMs = SIZE.toMillis();
        long slideMs = SLIDE.toMillis();
        Bucket[] buckets = new Bucket[127];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new Bucket();
        }
        BlockingQueue<Ev> queue = new ArrayBlockingQueue<>(16_384);
        AtomicLong applied = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong windows = new AtomicLong();
        Ev poison = new Ev("", 0, 0);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < workerCount; w++) {
            workers.add(Thread.ofPlatform().name("trafilo-worker-" + w).start(() -> {
                long local = 0;
                try {
                    for (Ev e; (e = queue.take()) != poison; ) {
                        Bucket b = buckets[Math.floorMod(e.key().hashCode(), buckets.length)];
                        b.lock.lock();
                        try {
                            KeyWindow kw = b.keys.computeIfAbsent(e.key(), x -> new KeyWindow());
                            kw.times.addLast(new long[] {e.ts(), Double.doubleToRawLongBits(e.value())});
                            // Slide cadence: emit every window whose end passed, evict beyond the horizon.
                            long end = Math.floorDiv(e.ts(), slideMs) * slideMs;
                            if (kw.lastEmitEnd == Long.MIN_VALUE) {
                                kw.lastEmitEnd = end;
                            }
                            while (kw.lastEmitEnd < end) {
                                kw.lastEmitEnd += slideMs;
                                emit(kw, kw.lastEmitEnd, sizeMs, counted, windows);
                            }
                            while (!kw.times.isEmpty() && kw.times.peekFirst()[0] < end - sizeMs) {
                                kw.times.pollFirst();
                            }
                        } finally {
                            b.lock.unlock();
                        }
                        if ((++local & 1023) == 0) {
                            applied.addAndGet(1024);
                        }
                    }
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                applied.addAndGet(local & 1023);
            }));
        }
        System.gc();
        long t0 = System.nanoTime();
        int k = keys.length;
        for (long i = 0; i < n; i++) {
            queue.put(new Ev(keys[(int) (i % k)], 1, System.currentTimeMillis()));
        }
        for (int w = 0; w < workerCount; w++) {
            queue.put(poison);
        }
        for (Thread t : workers) {
            t.join();
        }
        long t1 = System.nanoTime();
        // Shutdown: emit every window still holding events (trafilo lost these; we do not, to compare counts).
        for (Bucket b : buckets) {
            for (KeyWindow kw : b.keys.values()) {
                while (!kw.times.isEmpty()) {
                    kw.lastEmitEnd += slideMs;
                    emit(kw, kw.lastEmitEnd, sizeMs, counted, windows);
                    long end = kw.lastEmitEnd;
                    while (!kw.times.isEmpty() && kw.times.peekFirst()[0] < end - sizeMs + slideMs) {
                        kw.times.pollFirst();
                    }
                }
            }
        }
        long t2 = System.nanoTime();
        double rate = n * 1e9 / (t1 - t0);
        if (counted.get() != 5 * n) {
            // Two workers can apply one key's events out of order: trafilo's race, reported, not fatal.
            System.out.printf(Locale.ROOT, "trafilo: windows counted %,d events, expected %,d%n", counted.get(), 5 * n);
        }
        System.out.printf(
                Locale.ROOT,
                "trafilo  keys=%,9d  %,6.2f M ev/s  (%,d ms; flush %,d ms, %,d windows)%n",
                k,
                rate / 1e6,
                (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000,
                windows.get());
        return rate;
    }

    /** Count and sum of the events in {@code [end - size, end)}, by walking the key's stored events. */
    private static void emit(KeyWindow kw, long end, long sizeMs, AtomicLong counted, AtomicLong windows) {
        long count = 0;
        double sum = 0;
        for (long[] e : kw.times) {
            if (e[0] >= end - sizeMs && e[0] < end) {
                count++;
                sum += Double.longBitsToDouble(e[1]);
            }
        }
        if (count > 0) {
            counted.addAndGet(count);
            windows.incrementAndGet();
        }
        if (sum < 0) {
            throw new AssertionError();
        }
    }
}
