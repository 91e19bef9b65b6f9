package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link LaneEmitter}: every lane keeps its own time, so a lane far behind the others (a Kafka partition
 * replayed after it moved here) finds its windows open; a reset lane starts again from the beginning.
 */
class LaneEmitterTest {

    private static StreamJob<KeyValue> job(AtomicLong jobWatermark, List<WindowResult<String, Long>> out) {
        return StreamJob.<KeyValue>builder("lanes")
                .keyBy(KeyValue::key)
                .shards(3)
                .queueCapacity(16)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .watermark(jobWatermark::get)
                .tick(Duration.ofMillis(5))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .sink(r -> out.add(r))
                .start();
    }

    private static Map<String, Long> counts(List<WindowResult<String, Long>> out) {
        Map<String, Long> m = new TreeMap<>();
        for (WindowResult<String, Long> r : out) {
            m.merge(r.key() + "@" + r.start(), r.value(), Long::sum);
        }
        return m;
    }

    private static List<KeyValue> events(String prefix, int keys, int perKey, long from) {
        List<KeyValue> l = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                l.add(new KeyValue(prefix + k, 1, from + i * 10L));
            }
        }
        return l;
    }

    @RepeatedTest(10)
    void aLaneFarBehindTheOthersFindsItsWindowsOpen() throws Exception {
        AtomicLong jobWm = new AtomicLong(Long.MIN_VALUE);
        List<WindowResult<String, Long>> out = new CopyOnWriteArrayList<>();
        try (StreamJob<KeyValue> job = job(jobWm, out)) {
            LaneEmitter<KeyValue> in = job.laneEmitter("lanes", Backpressure.BLOCK);
            in.emitAll(1, events("a", 10, 20, 100_000));
            in.advance(1, 100_000 + 190);
            // the job's own watermark (lane 0) far ahead too: it closes no lane's windows
            jobWm.set(1_000_000);
            in.publish();
            await().until(() -> job.closedThrough(1) == 100_190 && job.closedThrough() == 1_000_000);
            // with one watermark for the job these would all be late
            in.emitAll(2, events("b", 10, 20, 10_000));
            in.advance(2, 11_000);
            in.publish();
            await().until(() -> job.closedThrough(2) == 11_000);
            Map<String, Long> want = new TreeMap<>();
            for (int k = 0; k < 10; k++) {
                want.put("b" + k + "@10000", 20L);
            }
            assertEquals(want, counts(out), "lane 2's windows, and none of lane 1's (still open)");
            assertEquals(0, job.stats().late());
            assertEquals(100_190, job.closedThrough(1), "lane 1 kept its time");
            assertEquals(Long.MIN_VALUE, job.closedThrough(7), "a lane no shard has heard of");

            in.advance(1, 101_000);
            in.publish();
            await().until(() -> job.closedThrough(1) == 101_000);
            for (int k = 0; k < 10; k++) {
                want.put("a" + k + "@100000", 20L);
            }
            assertEquals(want, counts(out));
            // behind its own lane's time, an event is late as ever
            in.emitAll(2, List.of(new KeyValue("b0", 1, 10_500)));
            in.advance(2, 11_001);
            in.publish();
            await().until(() -> job.closedThrough(2) == 11_001);
            assertEquals(1, job.stats().late());
        }
    }

    @RepeatedTest(10)
    void aResetLaneIsReplayedFromTheBeginningWithoutLateEvents() throws Exception {
        AtomicLong jobWm = new AtomicLong(Long.MIN_VALUE);
        List<WindowResult<String, Long>> out = new CopyOnWriteArrayList<>();
        try (StreamJob<KeyValue> job = job(jobWm, out)) {
            LaneEmitter<KeyValue> in = job.laneEmitter("lanes", Backpressure.BLOCK);
            in.emitAll(3, events("k", 5, 10, 5_000));
            in.advance(3, 6_000);
            in.emitAll(3, events("k", 5, 1, 6_100)); // an open window, handed over below
            in.publish();
            await().until(() -> job.closedThrough(3) == 6_000);
            assertEquals(5, out.size());
            // the lane goes away (its keys dropped) and comes back, replayed from before its old time
            assertEquals(5, job.discard(k -> true));
            in.reset(3);
            assertEquals(Long.MIN_VALUE, in.watermark(3));
            await().until(() -> job.closedThrough(3) == Long.MIN_VALUE);
            in.emitAll(3, events("k", 5, 2, 5_900));
            in.emitAll(3, events("k", 5, 3, 6_100));
            in.advance(3, 7_000);
            in.publish();
            await().until(() -> job.closedThrough(3) == 7_000);
            assertEquals(0, job.stats().late(), "nothing replayed was late");
            Map<String, Long> want = new TreeMap<>();
            for (int k = 0; k < 5; k++) {
                want.put("k" + k + "@5000", 10L + 2); // the first run's 10, the replay's 2 (a source skips it)
                want.put("k" + k + "@6000", 3L); // the replay's, not the dropped partial one's
            }
            assertEquals(want, counts(out));
            assertEquals(15, out.size());
        }
    }

    @Test
    void badLanesAndJobsWithoutEventTimeAreRefused() throws Exception {
        AtomicLong jobWm = new AtomicLong(Long.MIN_VALUE);
        try (StreamJob<KeyValue> job = job(jobWm, new CopyOnWriteArrayList<>())) {
            LaneEmitter<KeyValue> in = job.laneEmitter("lanes", Backpressure.BLOCK);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> in.advance(0, 1));
            assertTrue(e.getMessage().contains("was 0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> in.emitAll(65_536, List.of()));
            assertTrue(e.getMessage().contains("[1, 65535], was 65536"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> job.closedThrough(-1));
            assertTrue(e.getMessage().contains("[0, 65535], was -1"), e.getMessage());
        }
        try (StreamJob<KeyValue> processingTime = StreamJob.<KeyValue>builder("no-lanes")
                .keyBy(KeyValue::key)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .start()) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class, () -> processingTime.laneEmitter("x", Backpressure.BLOCK));
            assertTrue(e.getMessage().contains("event time"), e.getMessage());
        }
    }

    @Test
    void aShutDownJobRefusesLaneMessages() throws Exception {
        AtomicLong jobWm = new AtomicLong(Long.MIN_VALUE);
        StreamJob<KeyValue> job = job(jobWm, new CopyOnWriteArrayList<>());
        LaneEmitter<KeyValue> in = job.laneEmitter("lanes", Backpressure.BLOCK);
        in.advance(1, 5);
        job.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, in::publish);
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> in.reset(1));
    }
}
