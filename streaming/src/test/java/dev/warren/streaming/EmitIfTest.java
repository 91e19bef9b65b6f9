package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link StreamJob.Builder#emitIf}: a window the test refuses never reaches the sinks and is not counted. */
class EmitIfTest {

    @Test
    void refusedWindowsAreLeftOutAndBothTestsMustPass() throws Exception {
        AtomicLong supplied = new AtomicLong(Long.MIN_VALUE);
        List<WindowResult<String, Long>> out = new CopyOnWriteArrayList<>();
        long emitted;
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("emit-if")
                .keyBy(KeyValue::key)
                .shards(2)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .watermark(supplied::get)
                .tick(Duration.ofMillis(5))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .emitIf(r -> !(r.key().equals("a") && r.end() <= 11_000)) // a's first window was out already
                .emitIf(r -> !r.key().equals("c")) // and c's never go
                .sink(r -> out.add(r))
                .start()) {
            Emitter<KeyValue> in = job.eventEmitter("test", Backpressure.BLOCK);
            for (String k : List.of("a", "b", "c")) {
                in.emit(new KeyValue(k, 1, 10_100));
                in.emit(new KeyValue(k, 1, 11_100));
                in.emit(new KeyValue(k, 1, 11_200));
            }
            supplied.set(12_000);
            org.awaitility.Awaitility.await().until(() -> job.closedThrough() >= 12_000);
            emitted = job.stats().windowsEmitted();
        }
        Map<String, Long> got = new TreeMap<>();
        for (WindowResult<String, Long> r : out) {
            got.put(r.key() + "@" + r.start(), r.value());
        }
        assertEquals(Map.of("a@11000", 2L, "b@10000", 1L, "b@11000", 2L), got);
        assertEquals(3, emitted);
    }
}
