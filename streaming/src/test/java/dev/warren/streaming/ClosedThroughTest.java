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
}
