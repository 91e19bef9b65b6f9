package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Windows and idle state of keys that stop receiving events are still emitted and freed on time. */
class QuietKeysTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Two keys owned by different shards of {@code job}. */
    private static String[] keysOnTwoShards(StreamJob<?> job) {
        JobRuntime<?> rt = (JobRuntime<?>) job;
        String first = "quiet";
        for (int i = 0; i < 1000; i++) {
            String other = "busy" + i;
            if (rt.shardOf(other) != rt.shardOf(first)) {
                return new String[] {first, other};
            }
        }
        throw new AssertionError("no two keys on different shards");
    }

    @Test
    void eventTimeWindowOfAQuietKeyClosesWhenTheWatermarkMovesOnAnotherShard() throws Exception {
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("quiet-event-time")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .tick(Duration.ofMillis(20))
                .eventTime(KeyValue::timestamp, Duration.ofMillis(100))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .sink(out::add)
                .start()) {
            String[] k = keysOnTwoShards(job);
            job.emit(k[0] + " 1 100");
            job.emit(k[0] + " 1 900");
            // Only the other key, on the other shard, moves time on: past 1000 + the out-of-orderness.
            for (long t = 1000; t <= 1200; t += 50) {
                job.emit(k[1] + " 1 " + t);
            }
            await().atMost(WAIT)
                    .untilAsserted(() ->
                            assertTrue(out.stream().anyMatch(r -> r.key().equals(k[0])), "windows so far: " + out));
            List<WindowResult<String, Long>> quiet =
                    out.stream().filter(r -> r.key().equals(k[0])).toList();
            assertEquals(List.of(new WindowResult<>(k[0], 0L, 1000L, 2L)), quiet);
            // The busy key's window [1000, 2000) is still open: the watermark (1100) has not passed it.
            assertTrue(out.stream().noneMatch(r -> r.key().equals(k[1])), out.toString());
            assertNotEquals(((JobRuntime<?>) job).shardOf(k[0]), ((JobRuntime<?>) job).shardOf(k[1]));
        }
        assertEquals(
                Map.of("quiet", 2L, "busy", 5L),
                Map.of(
                        "quiet",
                        out.stream()
                                .filter(r -> r.key().equals("quiet"))
                                .mapToLong(WindowResult::value)
                                .sum(),
                        "busy",
                        out.stream()
                                .filter(r -> !r.key().equals("quiet"))
                                .mapToLong(WindowResult::value)
                                .sum()));
    }

    @Test
    void processingTimeIdleKeysAreEvictedOnceAndFreedOnceMoreAtShutdown() throws Exception {
        ManualTimeSource clock = TimeSource.manual(0);
        Map<String, AtomicInteger> inits = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> frees = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("quiet-ttl")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .timeSource(clock)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .stateInit(key -> {
                    inits.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                    return new Object();
                })
                .stateFree((key, s) ->
                        frees.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet())
                .idleTtl(Duration.ofSeconds(5))
                .sink(out::add)
                .start();
        try (job) {
            for (int i = 0; i < 20; i++) {
                job.emit("k" + i + " 1");
            }
            clock.advance(Duration.ofSeconds(1)); // the windows [0, 1000) close: no key has events since
            await().atMost(WAIT).until(() -> out.size() == 20);
            assertTrue(frees.isEmpty(), "nothing is idle for 5 s yet: " + frees);
            clock.advance(Duration.ofSeconds(5)); // every key idle past the TTL, with no event at all
            await().atMost(WAIT).until(() -> frees.size() == 20);
            assertEquals(0, job.stats().liveKeys());
            job.emit("k0 1"); // a new lifetime
            await().atMost(WAIT).until(() -> job.stats().liveKeys() == 1);
        }
        for (int i = 0; i < 20; i++) {
            int expected = i == 0 ? 2 : 1;
            assertEquals(expected, inits.get("k" + i).get(), "inits of k" + i);
            assertEquals(expected, frees.get("k" + i).get(), "frees of k" + i);
        }
        assertEquals(21, out.size()); // k0's second window flushed at shutdown
    }
}
