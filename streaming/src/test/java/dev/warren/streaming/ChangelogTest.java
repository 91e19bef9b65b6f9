package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.streaming.window.AccumulatorCodec;
import dev.warren.streaming.window.Aggregator;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamJob#checkpoint} and {@link StreamJob#restore}: the open windows a checkpoint writes, given
 * to another job, make the windows it emits after the checkpoint's close limit the same as if one job had
 * seen every event.
 */
class ChangelogTest {
    private static final int KEYS = 30;

    private static StreamJob<KeyValue> job(String name, List<WindowResult<String, Stats>> out) {
        return StreamJob.<KeyValue>builder(name)
                .keyBy(KeyValue::key)
                .shards(3)
                .queueCapacity(16)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(
                        Windows.sliding(Duration.ofSeconds(2), Duration.ofSeconds(1)),
                        Aggregators.stats(KeyValue::value))
                .changelog()
                .sink(r -> out.add(r))
                .start();
    }

    /** Events for every key, 50 ms apart, in [from, to); values that make sums and extremes differ. */
    private static List<KeyValue> events(long from, long to) {
        List<KeyValue> l = new ArrayList<>();
        for (long ts = from; ts < to; ts += 50) {
            for (int k = 0; k < KEYS; k++) {
                if ((ts / 50 + k) % 3 != 0) {
                    l.add(new KeyValue("k" + k, (ts % 7) + k * 0.25, ts));
                }
            }
        }
        return l;
    }

    private static Map<String, Stats> byWindow(List<WindowResult<String, Stats>> out, long after) {
        Map<String, Stats> m = new TreeMap<>();
        for (WindowResult<String, Stats> r : out) {
            if (r.end() > after) {
                Stats before = m.put(r.key() + "@" + r.start(), r.value());
                assertNull(before, "window emitted twice: " + r);
            }
        }
        return m;
    }

    private record Written(String state, long lastEnd, int lane) {}

    @RepeatedTest(5)
    void aJobRestoredFromACheckpointEmitsWhatOneJobWouldHave() throws Exception {
        List<WindowResult<String, Stats>> whole = new CopyOnWriteArrayList<>();
        List<WindowResult<String, Stats>> first = new CopyOnWriteArrayList<>();
        List<WindowResult<String, Stats>> second = new CopyOnWriteArrayList<>();
        Map<Object, Written> changelog = new ConcurrentHashMap<>();
        long through = 10_000 - 100; // the watermark at the checkpoint, lane 5
        // one job sees everything
        try (StreamJob<KeyValue> j = job("whole", whole)) {
            LaneEmitter<KeyValue> in = j.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(5, events(0, 10_000));
            in.advance(5, through);
            in.emitAll(5, events(10_000, 16_000));
            in.advance(5, 30_000);
            in.publish();
            await().until(() -> j.closedThrough(5) == 30_000);
        }
        // another runs to the checkpoint and dies; a third restores it and goes on
        try (StreamJob<KeyValue> a = job("first", first)) {
            LaneEmitter<KeyValue> in = a.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(5, events(0, 5_000));
            in.advance(5, 4_000);
            in.publish();
            assertTrue(
                    a.checkpoint((lane, key, state, lastEnd) -> changelog.put(key, new Written(state, lastEnd, lane))));
            assertEquals(KEYS, changelog.size());
            in.emitAll(5, events(5_000, 10_000));
            in.advance(5, through);
            in.publish();
            assertTrue(
                    a.checkpoint((lane, key, state, lastEnd) -> changelog.put(key, new Written(state, lastEnd, lane))));
            assertEquals(through, a.closedThrough(5), "published at the checkpoint");
            // records after the checkpoint are lost with this job
            in.emitAll(5, events(10_000, 12_000));
        }
        for (Written w : changelog.values()) {
            assertEquals(5, w.lane());
            assertTrue(w.state().startsWith("wp1 1000\n"), w.state());
            assertEquals(10_000 + 1_000, w.lastEnd(), "the last pane [9 s, 10 s) is in windows up to 11 s");
        }
        try (StreamJob<KeyValue> b = job("second", second)) {
            LaneEmitter<KeyValue> in = b.laneEmitter("in", Backpressure.BLOCK);
            Map<Object, String> states = new java.util.HashMap<>();
            changelog.forEach((k, w) -> states.put(k, w.state()));
            b.restore(5, states);
            in.emitAll(5, events(10_000, 16_000)); // the replay from the checkpoint's position
            in.advance(5, 30_000);
            in.publish();
            await().until(() -> b.closedThrough(5) == 30_000);
            assertEquals(0, b.stats().late());
        }
        Map<String, Stats> want = byWindow(whole, Long.MIN_VALUE);
        Map<String, Stats> got = byWindow(first, Long.MIN_VALUE);
        got.keySet().removeIf(w -> Long.parseLong(w.substring(w.indexOf('@') + 1)) + 2_000 > through);
        Map<String, Stats> after = byWindow(second, through);
        got.putAll(after);
        assertEquals(want.size(), got.size());
        assertEquals(want, got);
    }

    @RepeatedTest(5)
    void sessionsRestoredFromACheckpointGoOnAsInOneJob() throws Exception {
        List<WindowResult<String, Long>> whole = new CopyOnWriteArrayList<>();
        List<WindowResult<String, Long>> first = new CopyOnWriteArrayList<>();
        List<WindowResult<String, Long>> second = new CopyOnWriteArrayList<>();
        // per key: events 100 ms apart, a pause of 3 s (longer than the gap) now and then
        List<KeyValue> all = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            long ts = k * 37L;
            for (int i = 0; i < 120; i++) {
                ts += (i + k) % 17 == 0 ? 3_000 : 100;
                all.add(new KeyValue("s" + k, 1, ts));
            }
        }
        all.sort(java.util.Comparator.comparingLong(KeyValue::timestamp));
        long cut = all.get(all.size() / 2).timestamp();
        List<KeyValue> before = all.stream().filter(e -> e.timestamp() < cut).toList();
        List<KeyValue> after = all.stream().filter(e -> e.timestamp() >= cut).toList();
        long at = cut - 500; // the watermark at the checkpoint
        long end = Long.MAX_VALUE / 2;
        try (StreamJob<KeyValue> j = sessions("whole", whole)) {
            LaneEmitter<KeyValue> in = j.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(2, before);
            in.advance(2, at);
            in.emitAll(2, after);
            in.advance(2, end);
            in.publish();
            await().until(() -> j.closedThrough(2) == end);
        }
        Map<Object, String> states = new ConcurrentHashMap<>();
        try (StreamJob<KeyValue> a = sessions("first", first)) {
            LaneEmitter<KeyValue> in = a.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(2, before);
            in.advance(2, at);
            in.publish();
            assertTrue(a.checkpoint((lane, key, state, lastEnd) -> states.put(key, state == null ? "" : state)));
        }
        states.values().removeIf(String::isEmpty);
        try (StreamJob<KeyValue> b = sessions("second", second)) {
            b.restore(2, states);
            LaneEmitter<KeyValue> in = b.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(2, after);
            in.advance(2, end);
            in.publish();
            await().until(() -> b.closedThrough(2) == end);
            assertEquals(0, b.stats().late());
        }
        java.util.Set<String> want = new java.util.TreeSet<>();
        whole.forEach(r -> want.add(r.key() + "@" + r.start() + "-" + r.end() + "=" + r.value()));
        java.util.Set<String> got = new java.util.TreeSet<>();
        first.stream()
                .filter(r -> r.end() <= at)
                .forEach(r -> got.add(r.key() + "@" + r.start() + "-" + r.end() + "=" + r.value()));
        second.forEach(r -> got.add(r.key() + "@" + r.start() + "-" + r.end() + "=" + r.value()));
        assertEquals(want, got);
        assertTrue(want.size() > KEYS * 3, "several sessions per key: " + want.size());
    }

    private static StreamJob<KeyValue> sessions(String name, List<WindowResult<String, Long>> out) {
        return StreamJob.<KeyValue>builder(name)
                .keyBy(KeyValue::key)
                .shards(3)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.session(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .changelog()
                .sink(r -> out.add(r))
                .start();
    }

    @Test
    void perKeyStateGoesWithTheWindows() throws Exception {
        Map<String, Long> seenAtLastWindow = new ConcurrentHashMap<>();
        Map<Object, String> saved = new ConcurrentHashMap<>();
        try (StreamJob<KeyValue> a = stateful("state-a", seenAtLastWindow)) {
            LaneEmitter<KeyValue> in = a.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(1, events(0, 3_000)); // 3 s of events per key
            in.advance(1, 2_500);
            in.publish();
            assertTrue(a.checkpoint((lane, key, state, lastEnd) -> saved.put(key, state)));
        }
        assertEquals(KEYS, saved.size());
        assertTrue(saved.get("k1").endsWith("\nstate " + 40), saved.get("k1")); // 60 steps, 2 in 3 kept
        seenAtLastWindow.clear();
        try (StreamJob<KeyValue> b = stateful("state-b", seenAtLastWindow)) {
            b.restore(1, saved);
            LaneEmitter<KeyValue> in = b.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(1, events(3_000, 6_000));
            in.advance(1, 100_000);
            in.publish();
            await().until(() -> b.closedThrough(1) == 100_000);
            assertEquals(0, b.stats().callbackErrors());
        }
        // every key's count of events since the start, across the hand-over: 2 of every 3 of 120 steps
        for (int k = 0; k < KEYS; k++) {
            long n = 0;
            for (long ts = 0; ts < 6_000; ts += 50) {
                if ((ts / 50 + k) % 3 != 0) {
                    n++;
                }
            }
            assertEquals(n, seenAtLastWindow.get("k" + k), "k" + k);
        }
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> StreamJob.<KeyValue>builder("x")
                        .keyBy(KeyValue::key)
                        .eventTime(KeyValue::timestamp, Duration.ZERO)
                        .stateInit(k -> new long[1])
                        .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                        .changelog()
                        .start());
        assertTrue(e.getMessage().contains("changelog(encode, decode)"), e.getMessage());
    }

    /** A job that counts each key's events in its state and reports the count as each window closes. */
    private static StreamJob<KeyValue> stateful(String name, Map<String, Long> seen) {
        return StreamJob.<KeyValue>builder(name)
                .keyBy(KeyValue::key)
                .shards(3)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .stateInit(k -> new long[1])
                .handle((e, s) -> s[0]++)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .changelog(s -> Long.toString(s[0]), t -> new long[] {Long.parseLong(t)})
                .sink((dev.warren.streaming.sink.WindowSink<String, Long, long[]>)
                        (r, s) -> seen.merge(r.key(), s[0], Math::max))
                .start();
    }

    @Test
    void tombstonesForClosedKeysNoneForDiscardedOnesAndNothingTwice() throws Exception {
        List<WindowResult<String, Stats>> out = new CopyOnWriteArrayList<>();
        try (StreamJob<KeyValue> j = job("tombstones", out)) {
            LaneEmitter<KeyValue> in = j.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(1, List.of(new KeyValue("gone", 1, 1_000), new KeyValue("kept", 1, 1_000)));
            in.emitAll(2, List.of(new KeyValue("late", 1, 1_000), new KeyValue("dropped", 1, 1_000)));
            in.publish();
            Map<Object, String> w = new ConcurrentHashMap<>();
            ChangelogWriter writer =
                    (lane, key, state, lastEnd) -> w.put(key, state == null ? "tombstone" : lane + ":" + lastEnd);
            assertTrue(j.checkpoint(writer));
            assertEquals(Map.of("gone", "1:3000", "kept", "1:3000", "late", "2:3000", "dropped", "2:3000"), w);
            w.clear();
            assertTrue(j.checkpoint(writer));
            assertEquals(Map.of(), w, "nothing changed");
            // lane 1 closes "gone"'s windows; "kept" gets a later event; "dropped" is handed over
            in.emitAll(1, List.of(new KeyValue("kept", 1, 5_000)));
            in.advance(1, 3_000);
            in.publish();
            assertEquals(1, j.discard(k -> k.equals("dropped")));
            assertTrue(j.checkpoint(writer));
            assertEquals(Map.of("gone", "tombstone", "kept", "1:7000"), w);
            assertEquals(3_000, j.closedThrough(1));
        }
    }

    @Test
    void aCheckpointWhoseSinkCannotFlushSaysSo() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        dev.warren.streaming.sink.WindowSink<String, Long, Void> sink = new dev.warren.streaming.sink.WindowSink<>() {
            @Override
            public void emit(WindowResult<String, Long> result, Void state) {}

            @Override
            public void flush() throws java.io.IOException {
                if (failing.get()) {
                    throw new java.io.IOException("the broker is away");
                }
            }
        };
        try (StreamJob<KeyValue> j = StreamJob.<KeyValue>builder("unflushed")
                .keyBy(KeyValue::key)
                .shards(2)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .changelog()
                .sink(sink)
                .start()) {
            LaneEmitter<KeyValue> in = j.laneEmitter("in", Backpressure.BLOCK);
            in.emitAll(1, List.of(new KeyValue("a", 1, 100), new KeyValue("b", 1, 100)));
            in.advance(1, 1_000);
            in.publish();
            assertTrue(j.checkpoint((l, k, s, t) -> {}));
            failing.set(true);
            in.emitAll(1, List.of(new KeyValue("a", 1, 1_100), new KeyValue("b", 1, 1_100)));
            in.advance(1, 2_000);
            in.publish();
            assertTrue(!j.checkpoint((l, k, s, t) -> {}), "a flush failed");
            assertTrue(j.closedThrough(1) < 2_000, "nothing unflushed is reported closed");
            failing.set(false);
            in.emitAll(1, List.of(new KeyValue("a", 1, 2_100)));
            in.publish();
            assertTrue(
                    !j.checkpoint((l, k, s, t) -> {
                        throw new IllegalStateException("the changelog is away");
                    }),
                    "the writer failed");
            assertTrue(j.checkpoint((l, k, s, t) -> {}), "nothing changed since, and the sink flushes again");
        }
    }

    @Test
    void statsAccumulatorsReadBackExactly() {
        @SuppressWarnings("unchecked")
        Aggregator<KeyValue, Object, Stats> agg =
                (Aggregator<KeyValue, Object, Stats>) Aggregators.stats(KeyValue::value);
        @SuppressWarnings("unchecked")
        AccumulatorCodec<Object> codec = (AccumulatorCodec<Object>) agg;
        Object acc = agg.create();
        assertEquals(agg.result(acc), agg.result(codec.decode(codec.encode(acc))), "empty: infinities");
        for (double v : new double[] {0.1, -3e-300, 1e300, 7}) {
            acc = agg.add(acc, new KeyValue("k", v, 0));
        }
        assertEquals(agg.result(acc), agg.result(codec.decode(codec.encode(acc))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.decode("1 2 x 4"));
        assertTrue(e.getMessage().contains("'1 2 x 4'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> codec.decode("1 2 3"));
        assertTrue(e.getMessage().contains("'1 2 3'"), e.getMessage());
    }

    @Test
    void aBrokenSnapshotIsACallbackErrorNotACrash() throws Exception {
        List<WindowResult<String, Stats>> out = new CopyOnWriteArrayList<>();
        try (StreamJob<KeyValue> j = job("broken", out)) {
            Map<Object, String> states = new java.util.LinkedHashMap<>();
            states.put("x", "wp1 500\n1 1 1 1 1"); // other panes
            states.put("y", "wp1 1000\n1 nonsense");
            states.put("z", "wp1 1000\n3 2 5.0 1.0 4.0");
            states.put("gone", "wp1 1000\n3 1 1.0 1.0 1.0");
            j.restore(1, states);
            j.restore(1, java.util.Collections.singletonMap("gone", null)); // a tombstone after it
            LaneEmitter<KeyValue> in = j.laneEmitter("in", Backpressure.BLOCK);
            in.advance(1, 10_000);
            in.publish();
            await().until(() -> j.closedThrough(1) == 10_000);
            assertEquals(2, j.stats().callbackErrors());
            assertEquals(2, out.size(), "z's pane [3 s, 4 s) is in two windows: " + out);
            assertEquals(new Stats(2, 5.0, 1.0, 4.0), out.get(0).value());
        }
    }

    @Test
    void aChangelogNeedsPaneWindowsACodecAndNoUserState() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> StreamJob.<KeyValue>builder("s")
                        .keyBy(KeyValue::key)
                        .eventTime(KeyValue::timestamp, Duration.ZERO)
                        .changelog()
                        .start());
        assertTrue(e.getMessage().contains("the job has none"), e.getMessage());
        Aggregator<KeyValue, long[], Long> plain =
                Aggregator.of(() -> new long[1], (a, r) -> a, (a, b) -> a, a -> a[0]);
        e = assertThrows(
                IllegalStateException.class,
                () -> StreamJob.<KeyValue>builder("c")
                        .keyBy(KeyValue::key)
                        .eventTime(KeyValue::timestamp, Duration.ZERO)
                        .window(Windows.tumbling(Duration.ofSeconds(1)), plain)
                        .changelog()
                        .start());
        assertTrue(e.getMessage().contains("Aggregators.withCodec"), e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> StreamJob.<KeyValue>builder("u")
                        .keyBy(KeyValue::key)
                        .eventTime(KeyValue::timestamp, Duration.ZERO)
                        .stateInit(k -> new AtomicLong())
                        .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                        .changelog()
                        .start());
        assertTrue(e.getMessage().contains("stateInit"), e.getMessage());
        try (StreamJob<KeyValue> none = StreamJob.<KeyValue>builder("none")
                .keyBy(KeyValue::key)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.<KeyValue>count())
                .start()) {
            e = assertThrows(IllegalStateException.class, () -> none.checkpoint((l, k, s, t) -> {}));
            assertTrue(e.getMessage().contains("no changelog"), e.getMessage());
        }
        // a codec given to a user aggregator
        try (StreamJob<KeyValue> coded = StreamJob.<KeyValue>builder("coded")
                .keyBy(KeyValue::key)
                .eventTime(KeyValue::timestamp, Duration.ZERO)
                .window(
                        Windows.tumbling(Duration.ofSeconds(1)),
                        Aggregators.withCodec(plain, a -> Long.toString(a[0]), t -> new long[] {Long.parseLong(t)}))
                .changelog()
                .start()) {
            assertTrue(coded.stats() != null);
        }
    }
}
