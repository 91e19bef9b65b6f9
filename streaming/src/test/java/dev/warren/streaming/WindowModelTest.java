package dev.warren.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Window results of real jobs against a brute-force model, on random event-time streams: every window
 * kind, in order and out of order (with bounded out-of-orderness, grace, and events beyond both = late),
 * session merges. One producer, so the watermark each event meets is exactly determined: the largest
 * timestamp emitted so far, itself included, minus the allowed out-of-orderness.
 */
class WindowModelTest {

    record Ev(String key, long ts, long value) {}

    record Out(String key, long start, long end, long count, long sum, long min, long max) {}

    @Property(tries = 60)
    void tumblingMatchesModel(
            @ForAll("streams") List<Ev> events,
            @ForAll @IntRange(min = 1, max = 50) int size,
            @ForAll @IntRange(min = 0, max = 40) int bound,
            @ForAll @IntRange(min = 0, max = 20) int grace,
            @ForAll @IntRange(min = 1, max = 4) int shards)
            throws Exception {
        check(events, new WindowSpec.Tumbling(size), bound, grace, shards);
    }

    @Property(tries = 60)
    void slidingMatchesModel(
            @ForAll("streams") List<Ev> events,
            @ForAll @IntRange(min = 1, max = 30) int slide,
            @ForAll @IntRange(min = 1, max = 5) int factor,
            @ForAll @IntRange(min = 0, max = 7) int extra,
            @ForAll @IntRange(min = 0, max = 40) int bound,
            @ForAll @IntRange(min = 0, max = 20) int grace,
            @ForAll @IntRange(min = 1, max = 4) int shards)
            throws Exception {
        // size need not be a multiple of slide: panes are gcd(size, slide) long.
        long size = Math.max(slide, (long) slide * factor + extra);
        WindowSpec spec = size == slide ? new WindowSpec.Tumbling(size) : new WindowSpec.Sliding(size, slide);
        check(events, spec, bound, grace, shards);
    }

    @Property(tries = 60)
    void sessionMatchesModel(
            @ForAll("streams") List<Ev> events,
            @ForAll @IntRange(min = 1, max = 40) int gap,
            @ForAll @IntRange(min = 0, max = 40) int bound,
            @ForAll @IntRange(min = 0, max = 20) int grace,
            @ForAll @IntRange(min = 1, max = 4) int shards)
            throws Exception {
        check(events, new WindowSpec.Session(gap), bound, grace, shards);
    }

    @Provide
    Arbitrary<List<Ev>> streams() {
        Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "d", "e");
        Arbitrary<Integer> jitter = Arbitraries.integers().between(-60, 30);
        Arbitrary<Integer> step = Arbitraries.integers().between(0, 12);
        Arbitrary<Long> values = Arbitraries.longs().between(-100, 100);
        Arbitrary<int[]> raw = Combinators.combine(step, jitter).as((s, j) -> new int[] {s, j});
        return Combinators.combine(
                        raw.list().ofMaxSize(200),
                        keys.list().ofMaxSize(200),
                        values.list().ofMaxSize(200))
                .as((steps, ks, vs) -> {
                    List<Ev> out = new ArrayList<>();
                    long t = 1000;
                    int n = Math.min(steps.size(), Math.min(ks.size(), vs.size()));
                    for (int i = 0; i < n; i++) {
                        t += steps.get(i)[0];
                        out.add(new Ev(ks.get(i), t + steps.get(i)[1], vs.get(i)));
                    }
                    return out;
                });
    }

    private static void check(List<Ev> events, WindowSpec spec, long bound, long grace, int shards) throws Exception {
        ConcurrentLinkedQueue<Out> got = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Ev> gotLate = new ConcurrentLinkedQueue<>();
        StreamJob<Ev> job = StreamJob.<Ev>builder("model")
                .keyBy(Ev::key)
                .shards(shards)
                .queueCapacity(16)
                .eventTime(Ev::ts, Duration.ofMillis(bound))
                .grace(Duration.ofMillis(grace))
                .window(spec, Aggregators.stats((Ev e) -> e.value()))
                .sink(r -> got.add(out(r.key(), r.start(), r.end(), r.value())))
                .onLate(l -> gotLate.add(l.event()))
                .start();
        try (job) {
            Emitter<Ev> em = job.eventEmitter("test", Backpressure.BLOCK);
            for (Ev e : events) {
                em.emit(e);
            }
        }
        Model model = new Model(spec, bound, grace);
        events.forEach(model::add);
        List<Out> expected = model.finish();
        assertEquals(sorted(expected), sorted(got));
        assertEquals(sortedEv(model.late), sortedEv(gotLate));
        JobStats st = job.stats();
        assertEquals(model.late.size(), st.late());
        assertEquals(events.size(), st.eventsIn());
        assertEquals(expected.size(), st.windowsEmitted());
        assertEquals(0, st.liveKeys());
    }

    private static Out out(String key, long start, long end, Stats s) {
        return new Out(key, start, end, s.count(), (long) s.sum(), (long) s.min(), (long) s.max());
    }

    private static List<Out> sorted(java.util.Collection<Out> outs) {
        List<Out> l = new ArrayList<>(outs);
        l.sort(Comparator.comparing(Out::key).thenComparingLong(Out::start).thenComparingLong(Out::end));
        return l;
    }

    private static List<Ev> sortedEv(java.util.Collection<Ev> evs) {
        List<Ev> l = new ArrayList<>(evs);
        l.sort(Comparator.comparing(Ev::key).thenComparingLong(Ev::ts).thenComparingLong(Ev::value));
        return l;
    }

    /** The brute-force model: raw event lists per window, no panes, no timers. */
    static final class Model {
        final WindowSpec spec;
        final long bound;
        final long grace;
        long maxTs = Long.MIN_VALUE;
        final Map<List<Object>, List<Ev>> aligned = new HashMap<>();
        final Map<String, List<long[]>> openSessions = new HashMap<>();
        final java.util.IdentityHashMap<long[], List<Ev>> sessionEvents = new java.util.IdentityHashMap<>();
        final List<Out> emitted = new ArrayList<>();
        final List<Ev> late = new ArrayList<>();

        Model(WindowSpec spec, long bound, long grace) {
            this.spec = spec;
            this.bound = bound;
            this.grace = grace;
        }

        void add(Ev e) {
            maxTs = Math.max(maxTs, e.ts());
            long closeLimit = maxTs - bound - grace;
            if (spec instanceof WindowSpec.Session s) {
                // Close every session the watermark has passed: they can no longer take events.
                for (Map.Entry<String, List<long[]>> k : openSessions.entrySet()) {
                    k.getValue().removeIf(w -> {
                        if (w[1] <= closeLimit) {
                            emit(k.getKey(), w[0], w[1], sessionEvents.remove(w));
                            return true;
                        }
                        return false;
                    });
                }
                List<long[]> open = openSessions.computeIfAbsent(e.key(), k -> new ArrayList<>());
                long start = e.ts();
                long end = e.ts() + s.gapMillis();
                List<Ev> evs = new ArrayList<>();
                evs.add(e);
                boolean mergedAny = false;
                for (var it = open.iterator(); it.hasNext(); ) {
                    long[] w = it.next();
                    if (w[0] < end && start < w[1]) {
                        start = Math.min(start, w[0]);
                        end = Math.max(end, w[1]);
                        evs.addAll(sessionEvents.remove(w));
                        it.remove();
                        mergedAny = true;
                    }
                }
                if (!mergedAny && end <= closeLimit) {
                    late.add(e);
                    return;
                }
                long[] w = {start, end};
                open.add(w);
                sessionEvents.put(w, evs);
                return;
            }
            long size;
            long slide;
            if (spec instanceof WindowSpec.Tumbling t) {
                size = t.sizeMillis();
                slide = size;
            } else {
                WindowSpec.Sliding sl = (WindowSpec.Sliding) spec;
                size = sl.sizeMillis();
                slide = sl.slideMillis();
            }
            boolean accepted = false;
            for (long start = Math.floorDiv(e.ts(), slide) * slide; start > e.ts() - size; start -= slide) {
                if (start + size > closeLimit) {
                    aligned.computeIfAbsent(List.of(e.key(), start, start + size), k -> new ArrayList<>())
                            .add(e);
                    accepted = true;
                }
            }
            if (!accepted) {
                late.add(e);
            }
        }

        List<Out> finish() {
            for (Map.Entry<List<Object>, List<Ev>> w : aligned.entrySet()) {
                emit(
                        (String) w.getKey().get(0),
                        (Long) w.getKey().get(1),
                        (Long) w.getKey().get(2),
                        w.getValue());
            }
            for (Map.Entry<String, List<long[]>> k : openSessions.entrySet()) {
                for (long[] w : k.getValue()) {
                    emit(k.getKey(), w[0], w[1], sessionEvents.get(w));
                }
            }
            return emitted;
        }

        private void emit(String key, long start, long end, List<Ev> evs) {
            long sum = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (Ev e : evs) {
                sum += e.value();
                min = Math.min(min, e.value());
                max = Math.max(max, e.value());
            }
            emitted.add(new Out(key, start, end, evs.size(), sum, min, max));
        }
    }
}
