package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Channel;
import dev.warren.tasklets.ChannelClosedException;
import dev.warren.tasklets.observe.Reports;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class StreamJobTest {

    /** Per-key state with a lifetime id, to check init/free pairs. */
    static final class KeyState {
        final String key;
        long handled;

        KeyState(String key) {
            this.key = key;
        }
    }

    @Test
    void processingTimeWindowsCloseOnTimeWithoutFurtherEvents() throws Exception {
        ManualTimeSource clock = TimeSource.manual(10_000);
        ConcurrentLinkedQueue<WindowResult<String, Stats>> out = new ConcurrentLinkedQueue<>();
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("ptime")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .timeSource(clock)
                .window(
                        Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                        Aggregators.stats(KeyValue::value))
                .sink(out::add)
                .start()) {
            job.emit("k1 1");
            job.emit("k1 2");
            clock.advance(Duration.ofMillis(500));
            job.emit("k2 7");
            assertTrue(out.isEmpty());
            clock.advance(Duration.ofMillis(500)); // t = 11000: the windows ending at 11000 close
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertEquals(2, out.size(), out + " " + job.stats()));
            for (WindowResult<String, Stats> r : out) {
                assertEquals(11_000, r.end());
                assertEquals(6_000, r.start());
            }
            clock.advance(Duration.ofSeconds(10)); // every window of these events closes; no new events
            await().atMost(Duration.ofSeconds(10)).until(() -> out.size() == 10);
            Map<String, Long> counts = new ConcurrentHashMap<>();
            out.forEach(r -> counts.merge(r.key(), r.value().count(), Long::sum));
            assertEquals(Map.of("k1", 10L, "k2", 5L), counts); // each event is in 5 windows
            assertEquals(0, job.stats().liveKeys());
        }
    }

    @RepeatedTest(5)
    void underTheSystemClockAnEventFallsInTheWindowOfWhenItsShardTookIt() throws Exception {
        ConcurrentLinkedQueue<WindowResult<String, Stats>> out = new ConcurrentLinkedQueue<>();
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("systime")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofMillis(100)), Aggregators.stats(KeyValue::value))
                .sink(out::add)
                .start()) {
            for (int round = 0; round < 3; round++) {
                long before = System.currentTimeMillis();
                job.emit("k" + round + " " + round);
                // the window closes on the clock alone: no further event is needed
                await().atMost(Duration.ofSeconds(10)).until(() -> !out.isEmpty());
                long after = System.currentTimeMillis();
                WindowResult<String, Stats> r = out.poll();
                assertEquals("k" + round, r.key());
                assertEquals(1, r.value().count());
                assertEquals(round, r.value().sum());
                assertEquals(100, r.end() - r.start());
                // the shard took the event between the emit and the window's emission
                assertTrue(r.end() > before && r.start() <= after, before + " " + r + " " + after);
                assertTrue(r.end() <= after, "emitted before its end: " + r + " at " + after);
            }
        }
    }

    @Test
    void stateInitAndFreeExactlyOncePerLifetimeWithEvictionAndShutdown() throws Exception {
        ConcurrentHashMap<String, AtomicInteger> inits = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, AtomicInteger> frees = new ConcurrentHashMap<>();
        ConcurrentHashMap<KeyState, Boolean> live = new ConcurrentHashMap<>();
        AtomicInteger doubleFree = new AtomicInteger();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("state")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(3)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofMillis(10)), Aggregators.count())
                .stateInit(k -> {
                    inits.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                    KeyState s = new KeyState(k);
                    live.put(s, true);
                    return s;
                })
                .handle((e, s) -> s.handled++)
                .stateFree((k, s) -> {
                    frees.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                    if (live.remove(s) == null) {
                        doubleFree.incrementAndGet();
                    }
                })
                .idleTtl(Duration.ofMillis(100))
                .start();
        try (job) {
            // k0..k9 at t=0..9; then only "hot" keeps time moving past the TTL; then k0..k4 come back.
            for (int i = 0; i < 10; i++) {
                job.emit("k" + i + " 1 " + i);
            }
            for (int t = 10; t <= 300; t += 10) {
                job.emit("hot 1 " + t);
            }
            for (int i = 0; i < 5; i++) {
                job.emit("k" + i + " 1 " + (300 + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> frees.size() >= 10);
        }
        for (int i = 0; i < 10; i++) {
            int expected = i < 5 ? 2 : 1; // evicted once; k0..k4 live again and are freed at shutdown
            assertEquals(expected, inits.get("k" + i).get(), "inits of k" + i);
            assertEquals(expected, frees.get("k" + i).get(), "frees of k" + i);
        }
        assertEquals(1, inits.get("hot").get());
        assertEquals(1, frees.get("hot").get());
        assertEquals(0, doubleFree.get());
        assertTrue(live.isEmpty(), "every state freed: " + live.keySet());
    }

    @RepeatedTest(3)
    void blockingPolicyLosesNothingWithEightProducersAndASlowSink() throws Exception {
        int producers = 8;
        int perProducer = 20_000;
        AtomicLong windowed = new AtomicLong();
        AtomicLong sinkCalls = new AtomicLong();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("block")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .queueCapacity(64)
                .eventTime(KeyValue::timestamp, Duration.ofSeconds(1))
                .window(Windows.tumbling(Duration.ofMillis(50)), Aggregators.count())
                .sink((r, s) -> {
                    LockSupport.parkNanos(20_000); // a slow sink: the shards back up into the sources
                    windowed.addAndGet(r.value());
                    sinkCalls.incrementAndGet();
                })
                .start();
        try (job) {
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int p = 0; p < producers; p++) {
                int id = p;
                Emitter<String> em = job.emitter("p" + p, Backpressure.BLOCK);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        if (id % 2 == 0) {
                            for (int i = 0; i < perProducer; i++) {
                                em.emit("k" + (i % 97) + " 1 " + (i + id));
                            }
                        } else {
                            List<String> batch = new ArrayList<>();
                            for (int i = 0; i < perProducer; i++) {
                                batch.add("k" + (i % 97) + " 1 " + (i + id));
                                if (batch.size() == 100 || i == perProducer - 1) {
                                    em.emitAll(batch);
                                    batch.clear();
                                }
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
        long total = (long) producers * perProducer;
        JobStats st = job.stats();
        assertEquals(total, st.eventsIn());
        assertEquals(0, st.dropped());
        assertEquals(total, windowed.get() + st.late());
        assertEquals(sinkCalls.get(), st.windowsEmitted());
        assertEquals(
                total, st.sources().stream().mapToLong(SourceStats::emitted).sum());
    }

    @Test
    void emitAllCountsParseErrorsAndDropsPerEvent() throws Exception {
        AtomicLong windowed = new AtomicLong();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("batch")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(3)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .sink(r -> windowed.addAndGet(r.value()))
                .start();
        Emitter<String> em = job.emitter("batcher", Backpressure.BLOCK);
        try (job) {
            em.emitAll(List.of("a 1", "b 2", "", "c x", "d 4", "e"));
            em.emitAll(List.of());
        }
        assertEquals(new SourceStats("batcher", Backpressure.BLOCK, 4, 2, 0, 0), em.stats());
        assertEquals(4, windowed.get());
    }

    @RepeatedTest(3)
    void dropPolicyCountsExactly() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong windowed = new AtomicLong();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("drop")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(1)
                .queueCapacity(32)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .handle((e, s) -> {
                    try {
                        release.await(); // the shard is stuck until released: the inbox fills
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                })
                .sink(r -> windowed.addAndGet(r.value()))
                .start();
        int n = 5_000;
        int producers = 4;
        Emitter<String> em;
        try (job) {
            em = job.emitter("dropper", Backpressure.DROP_NEWEST);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            em.emit("k" + (i % 10) + " 1");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            release.countDown();
        }
        SourceStats s = em.stats();
        long total = (long) n * producers;
        assertEquals(total, s.emitted() + s.dropped());
        assertTrue(s.dropped() >= total - 33, "at most the inbox plus the one in hand got through: " + s);
        assertEquals(s.emitted(), windowed.get());
        assertEquals(s.emitted(), job.stats().eventsIn());
        assertEquals(s.dropped(), job.stats().dropped());
    }

    @Test
    void failPolicyThrowsAndCounts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("fail")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(1)
                .queueCapacity(4)
                .handle((e, s) -> {
                    try {
                        release.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                })
                .start()) {
            Emitter<String> em = job.emitter("strict", Backpressure.FAIL);
            int failures = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    em.emit("k 1");
                } catch (dev.warren.tasklets.ChannelFullException full) {
                    failures++;
                }
            }
            release.countDown();
            assertTrue(failures >= 20 - 5, "failures " + failures);
            assertEquals(failures, em.stats().dropped());
            assertEquals(20 - failures, em.stats().emitted());
        }
    }

    @Test
    void parseErrorsAreCountedAndVisibleNeverFatal() throws Exception {
        String longLine = "k" + "x".repeat(200) + " 1";
        String input = "a 1\n\nb abc\n" + longLine + "\nc 2 oops\nd 4\r\n   \ne 1 2 3 4\nf 5";
        ConcurrentLinkedQueue<ParseError> errors = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<WindowResult<String, Stats>> out = new ConcurrentLinkedQueue<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("parse")
                .source(Sources.lines("input", new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), 100))
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.stats(KeyValue::value))
                .sink(out::add)
                .onParseError(errors::add)
                .start();
        try (job) {
            job.awaitSourcesDone();
            job.emit("");
            job.emit("g nan");
        }
        JobStats st = job.stats();
        assertEquals(8, st.parseErrors(), "errors: " + errors);
        assertEquals(8, errors.size());
        assertTrue(errors.stream().anyMatch(e -> e.reason().equals("empty line")));
        assertTrue(errors.stream().anyMatch(e -> e.reason().contains("longer than 100")));
        assertTrue(errors.stream().anyMatch(e -> e.reason().contains("not a number")));
        assertEquals(
                List.of("a", "d", "f"),
                out.stream().map(WindowResult::key).sorted().toList());
        SourceStats input1 = st.sources().stream()
                .filter(s -> s.name().equals("input"))
                .findFirst()
                .orElseThrow();
        assertEquals(3, input1.emitted());
        assertEquals(6, input1.parseErrors());
    }

    @Test
    void shutdownFlushesEveryOpenWindowToJsonLines() throws Exception {
        StringWriter w = new StringWriter();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("flush")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(4)
                .window(
                        Windows.sliding(Duration.ofHours(1), Duration.ofMinutes(30)),
                        Aggregators.stats(KeyValue::value))
                .sink(Sinks.jsonLines(w))
                .start();
        try (job) {
            for (int i = 0; i < 1000; i++) {
                job.emit("k" + (i % 50) + " " + (i % 7));
            }
            assertEquals("", w.toString());
        }
        String[] lines = w.toString().lines().toArray(String[]::new);
        long count = 0;
        for (String line : lines) {
            assertTrue(
                    line.matches("\\{\"key\":\"k\\d+\",\"start\":\\d+,\"end\":\\d+,\"count\":\\d+,\"sum\":[0-9.]+,"
                            + "\"min\":[0-9.]+,\"max\":[0-9.]+}"),
                    line);
            count += Long.parseLong(line.replaceAll(".*\"count\":(\\d+).*", "$1"));
        }
        // Every event is in two 1 h windows sliding by 30 min; all of them were still open at shutdown.
        assertEquals(2000, count);
        assertEquals(lines.length, job.stats().windowsEmitted());
    }

    @Test
    void channelSinkIsClosedAfterTheLastWindow() throws Exception {
        // Two shards reaching ArrayChannel's full path first at once contend on the JDK's class-loading
        // lock (its enum switch map) and pin: a tasklets issue, reported; load the class up front here.
        Channel<Integer> warm = Channel.bounded(1);
        warm.send(1);
        assertFalse(warm.send(2, Duration.ZERO));
        Channel<WindowResult<String, Long>> results = Channel.bounded(4);
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("chan")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.session(Duration.ofHours(1)), Aggregators.<KeyValue>count())
                .sink(Sinks.<String, Long, Void>channel(results))
                .start();
        for (int i = 0; i < 100; i++) {
            job.emit("k" + (i % 10));
        }
        job.shutdown();
        long total = 0;
        int windows = 0;
        try {
            for (; ; ) {
                total += results.receive().value();
                windows++;
            }
        } catch (ChannelClosedException done) {
            // every result came through
        }
        assertTrue(job.awaitTermination(Duration.ofSeconds(10)));
        assertEquals(100, total);
        assertEquals(10, windows);
        assertThrows(IllegalStateException.class, () -> job.emit("late 1"));
    }

    @Test
    void streamsReportWhileRunning() throws Exception {
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("reported")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .start();
        try (job) {
            job.emit("a 1");
            job.emit("bad line x y z");
            await().atMost(Duration.ofSeconds(10)).until(() -> job.stats().eventsIn() == 1);
            String json = Reports.json("streams").orElseThrow();
            assertTrue(json.contains("\"name\":\"reported\""), json);
            assertTrue(json.contains("\"parse_errors\":1"), json);
            assertTrue(json.contains("\"queue_depth\""), json);
            assertTrue(json.contains("\"events_in\":1"), json);
        }
        assertFalse(Reports.json("streams").map(j -> j.contains("\"reported\"")).orElse(false));
        assertFalse(job.isRunning());
    }
}
