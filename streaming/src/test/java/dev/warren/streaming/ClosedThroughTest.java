package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The watermark a source supplies, and {@link StreamJob#closedThrough()}, which a committing source relies on. */
class ClosedThroughTest {

    @RepeatedTest(5)
    void closedThroughFollowsTheSuppliedWatermarkAndOnlyAfterTheWindowsWentOut() throws Exception {
        AtomicLong supplied = new AtomicLong(Long.MIN_VALUE);
        List<WindowResult<String, Long>> out = new CopyOnWriteArrayList<>();
        long closedWhenEmitted;
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("closed-through")
                .keyBy(KeyValue::key)
                .shards(3)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .watermark(supplied::get)
                .grace(Duration.ofMillis(100))
                .tick(Duration.ofMillis(5))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .sink(r -> out.add(r))
                .start()) {
            Emitter<KeyValue> in = job.eventEmitter("test", Backpressure.BLOCK);
            for (int i = 0; i < 30; i++) {
                in.emit(new KeyValue("k" + (i % 10), 1, 10_000 + i * 10L));
            }
            // the largest time emitted is 10,290: without the supplier the job's own watermark would
            // close nothing either, but a supplied 10,500 must not close [10,000, 11,000) plus grace
            supplied.set(10_500);
            in.emit(new KeyValue("k0", 1, 10_400));
            await().until(() -> job.stats().eventsIn() == 31);
            assertTrue(job.closedThrough() < 11_000, "closedThrough " + job.closedThrough());
            assertEquals(List.of(), out);

            supplied.set(11_100);
            await().until(() -> job.closedThrough() >= 11_000);
            closedWhenEmitted = job.closedThrough();
            assertEquals(10, out.size(), "one window per key: " + out);
            long total = out.stream().mapToLong(WindowResult::value).sum();
            assertEquals(31, total);
        }
        assertTrue(closedWhenEmitted >= 11_000);
    }

    @Test
    void withoutWindowsDueClosedThroughStaysAtTheStart() {
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("nothing")
                .keyBy(KeyValue::key)
                .shards(2)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .start()) {
            assertEquals(Long.MIN_VALUE, job.closedThrough());
        }
    }

    @Test
    void aSuppliedWatermarkNeedsEventTime() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> StreamJob.<KeyValue>builder("pt")
                        .keyBy(KeyValue::key)
                        .watermark(() -> 0)
                        .start());
        assertTrue(e.getMessage().contains("eventTime"), e.getMessage());
    }

    @RepeatedTest(3)
    void aSinkWhoseFlushFailsHoldsClosedThroughBack() throws Exception {
        AtomicLong supplied = new AtomicLong(Long.MIN_VALUE);
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();
        dev.warren.streaming.sink.WindowSink<String, Long, Void> sink = new dev.warren.streaming.sink.WindowSink<>() {
            @Override
            public void emit(WindowResult<String, Long> result, Void state) {}

            @Override
            public void flush() throws java.io.IOException {
                flushes.incrementAndGet();
                if (failing.get()) {
                    throw new java.io.IOException("the broker lost a record");
                }
            }
        };
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("flush-fails")
                .keyBy(KeyValue::key)
                .shards(1)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .watermark(supplied::get)
                .tick(Duration.ofMillis(5))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .sink(sink)
                .start()) {
            Emitter<KeyValue> in = job.eventEmitter("test", Backpressure.BLOCK);
            in.emit(new KeyValue("a", 1, 10_100));
            supplied.set(11_500);
            in.emit(new KeyValue("a", 1, 11_600));
            await().until(() -> job.stats().windowsEmitted() == 1 && flushes.get() >= 1);
            await().until(() -> job.stats().callbackErrors() >= 1);
            assertTrue(job.closedThrough() < 11_000, "a failed flush must not advance: " + job.closedThrough());
            // the shard tries again at its next batch; once a flush succeeds the limit moves
            failing.set(false);
            supplied.set(11_700);
            in.emit(new KeyValue("a", 1, 11_650));
            await().until(() -> job.closedThrough() >= 11_000);
        }
    }
}
