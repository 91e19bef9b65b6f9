package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows closed by the clock alone are counted and written out while the job runs, not at shutdown;
 * and one event stamped far in the future cannot push event time ahead and make every later event late.
 */
class TimeGuardsTest {
    private static final Duration LIVENESS = Duration.ofSeconds(20);

    @Test
    void windowsClosedByTheSystemClockAloneShowInTheCountersWithoutAnotherEvent() throws Exception {
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("clock-alone")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofMillis(100)), Aggregators.count())
                .sink(out::add)
                .start()) {
            for (int i = 0; i < 10; i++) {
                job.emit("k" + i + " 1");
            }
            // no more events: the shards close the windows on the clock and must say so in the stats
            await().atMost(LIVENESS).until(() -> out.size() == 10);
            await().atMost(LIVENESS).until(() -> job.stats().windowsEmitted() == 10);
            await().atMost(LIVENESS).until(() -> job.stats().liveKeys() == 0); // stateless keys go with their window
        }
    }

    @Test
    void jsonLinesReachTheFileAsWindowsCloseNotOnlyAtShutdown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("windows.jsonl");
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("tail-f")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofMillis(100)), Aggregators.count())
                .sink(Sinks.jsonLines(file))
                .start()) {
            for (int i = 0; i < 10; i++) {
                job.emit("k" + i + " 1");
            }
            await().atMost(LIVENESS).until(() -> lines(file).size() == 10);
            for (String line : lines(file)) {
                assertTrue(line.startsWith("{\"key\":\"k") && line.endsWith(",\"value\":1}"), line);
            }
        }
    }

    private static List<String> lines(Path file) throws java.io.IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    void anEventStampedAYearAheadIsSetAsideAndLaterEventsAreNotLate() throws Exception {
        long now = System.currentTimeMillis();
        long yearAhead = now + Duration.ofDays(365).toMillis();
        ConcurrentLinkedQueue<FutureEvent<KeyValue>> future = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<LateEvent<KeyValue>> late = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("poison")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .eventTime(KeyValue::timestamp, Duration.ofSeconds(1))
                .window(Windows.tumbling(Duration.ofSeconds(10)), Aggregators.count())
                .onFuture(future::add)
                .onLate(late::add)
                .sink(out::add)
                .start();
        try (job) {
            job.emit("sensor 1 " + now);
            job.emit("sensor 1 " + yearAhead); // a bad clock, or a garbled timestamp
            for (int i = 0; i < 50; i++) {
                job.emit("sensor 1 " + (now + i));
            }
            await().atMost(LIVENESS).until(() -> job.stats().eventsIn() == 51);
            assertEquals(1, job.stats().future());
            assertEquals(0, job.stats().late());
            assertEquals(1, future.size());
            FutureEvent<KeyValue> f = future.peek();
            assertEquals("sensor", f.key());
            assertEquals(yearAhead, f.timestamp());
            assertTrue(f.limit() >= now + 60_000 && f.limit() < yearAhead, "limit " + f.limit());
        }
        assertTrue(late.isEmpty(), "late: " + late);
        assertEquals(51, out.stream().mapToLong(WindowResult::value).sum());
    }

    @Test
    void theAllowanceIsConfigurableAndChecked() throws Exception {
        ManualTimeSource clock = TimeSource.manual(1_000_000);
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("allowance")
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(1)
                .timeSource(clock)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .maxAhead(Duration.ofSeconds(5))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .start()) {
            job.emit("a 1 1005000"); // exactly 5 s ahead: taken
            job.emit("a 1 1005001"); // 1 ms more: not taken
            clock.advance(Duration.ofSeconds(1));
            job.emit("a 1 1005001"); // the clock moved on: taken now
            await().atMost(LIVENESS).until(() -> job.stats().eventsIn() == 2);
            assertEquals(1, job.stats().future());
        }
        StreamJob.Builder<KeyValue, Object, Void, Void> b = StreamJob.builder("bad");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.maxAhead(Duration.ZERO));
        assertTrue(e.getMessage().contains("maxAhead must be >= 1 ms, was PT0S"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.maxAhead(Duration.ofSeconds(-1)));
    }
}
