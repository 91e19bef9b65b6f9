package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** {@link StreamJob#discard}: a source handing keys over drops their windows and state, emitting nothing for them. */
class DiscardTest {

    @RepeatedTest(20)
    void discardedKeysEmitNothingAndTheOthersAreWhole() throws Exception {
        AtomicLong supplied = new AtomicLong(Long.MIN_VALUE);
        List<WindowResult<String, Long>> out = new CopyOnWriteArrayList<>();
        Set<String> freed = ConcurrentHashMap.newKeySet();
        long dropped;
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("discard")
                .keyBy(KeyValue::key)
                .shards(3)
                .queueCapacity(16) // full inboxes: the request must queue behind the events
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .watermark(supplied::get)
                .tick(Duration.ofMillis(5))
                .stateInit(k -> k)
                .stateFree((k, s) -> freed.add(k))
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .sink(r -> out.add(r))
                .start()) {
            Emitter<KeyValue> in = job.eventEmitter("test", Backpressure.BLOCK);
            for (int i = 0; i < 2_000; i++) {
                in.emit(new KeyValue((i % 2 == 0 ? "drop" : "keep") + (i % 20), 1, 10_000 + (i % 900)));
            }
            // every event emitted before the call is in before the keys go, however deep the inboxes
            dropped = job.discard(k -> ((String) k).startsWith("drop"));
            assertEquals(10, dropped);
            assertEquals(10, freed.size(), freed.toString());
            assertTrue(freed.stream().allMatch(k -> k.startsWith("drop")), freed.toString());
            // a dropped key that comes back starts afresh
            in.emit(new KeyValue("drop0", 1, 10_500));
            supplied.set(11_000);
            org.awaitility.Awaitility.await().until(() -> job.closedThrough() >= 11_000);
        }
        Map<String, Long> counts = new TreeMap<>();
        for (WindowResult<String, Long> r : out) {
            counts.merge(r.key(), r.value(), Long::sum);
        }
        Map<String, Long> expected = new TreeMap<>();
        for (int k = 1; k < 20; k += 2) {
            expected.put("keep" + k, 100L);
        }
        expected.put("drop0", 1L);
        assertEquals(expected, counts);
        assertEquals(1 + 10, out.size());
    }

    @Test
    void aDiscardOnAJobThatIsShuttingDownIsRefused() throws Exception {
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("discard-closed")
                .keyBy(KeyValue::key)
                .shards(2)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .start();
        job.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> job.discard(k -> true));
        assertTrue(e.getMessage().contains("shutting down"), e.getMessage());
    }

    @Test
    void aDiscardFromTheJobsOwnTaskletIsRefused() throws Exception {
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<StreamJob<KeyValue>> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("discard-self")
                .keyBy(KeyValue::key)
                .shards(1)
                .handle((e, s) -> {
                    try {
                        self.get().discard(k -> true);
                    } catch (IllegalStateException | InterruptedException ex) {
                        seen.add(ex);
                    }
                    done.countDown();
                })
                .start()) {
            self.set(job);
            job.eventEmitter("test", Backpressure.BLOCK).emit(new KeyValue("a", 1, 0));
            done.await();
        }
        assertEquals(1, seen.size());
        assertTrue(seen.get(0) instanceof IllegalStateException, seen.toString());
    }
}
