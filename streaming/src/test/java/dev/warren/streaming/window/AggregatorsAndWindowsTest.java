package dev.warren.streaming.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The aggregators and window specifications on their own (mutation testing found sum, min, max, mean,
 * stats, custom aggregators and the spec checks reached by no test of this module): each result, folded
 * in one pass and merged from two halves alike, and the exact boundaries of the checks.
 */
class AggregatorsAndWindowsTest {
    private static final List<Double> XS = List.of(3.0, -1.5, 10.0, 2.5, 2.5);

    /** Folds the first {@code split} events and the rest separately, merges, and returns the result. */
    private static <E, A, R> R fold(Aggregator<E, A, R> agg, List<E> xs, int split) {
        A left = agg.create();
        for (E e : xs.subList(0, split)) {
            left = agg.add(left, e);
        }
        A right = agg.create();
        for (E e : xs.subList(split, xs.size())) {
            right = agg.add(right, e);
        }
        return agg.result(agg.merge(left, right));
    }

    @Test
    void everyAggregatorFoldsAndMergesAlike() {
        for (int split = 0; split <= XS.size(); split++) {
            assertEquals(5L, fold(Aggregators.<Double>count(), XS, split));
            assertEquals(16.5, fold(Aggregators.<Double>sum(x -> x), XS, split));
            assertEquals(-1.5, fold(Aggregators.<Double>min(x -> x), XS, split));
            assertEquals(10.0, fold(Aggregators.<Double>max(x -> x), XS, split));
            assertEquals(3.3, fold(Aggregators.<Double>mean(x -> x), XS, split), 1e-12);
            Stats s = fold(Aggregators.<Double>stats(x -> x), XS, split);
            assertEquals(new Stats(5, 16.5, -1.5, 10.0), s);
            assertEquals(3.3, s.mean(), 1e-12);
        }
        assertTrue(Double.isNaN(fold(Aggregators.<Double>mean(x -> x), List.of(), 0)), "mean of nothing");
        assertTrue(Double.isNaN(new Stats(0, 0, 0, 0).mean()), "mean of no events");
        assertTrue(Aggregators.<Double>mean(x -> x).toString().contains("mean"), "named in logs");
    }

    @Test
    void aCustomAggregatorDelegatesToItsFunctions() {
        Aggregator<String, List<String>, String> joined = Aggregator.of(
                ArrayList::new,
                (acc, e) -> {
                    acc.add(e);
                    return acc;
                },
                (a, b) -> {
                    a.addAll(b);
                    return a;
                },
                acc -> String.join("+", acc));
        assertEquals("a+b+c", fold(joined, List.of("a", "b", "c"), 1));
        assertThrows(NullPointerException.class, () -> Aggregator.of(null, (a, e) -> a, (a, b) -> a, a -> a));
    }

    @Test
    void windowSpecsCheckTheirBoundaries() {
        assertEquals(new WindowSpec.Tumbling(1), Windows.tumbling(Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec.Tumbling(0));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec.Session(0));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec.Sliding(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec.Sliding(10, 0));
        assertEquals(10, new WindowSpec.Sliding(10, 10).slideMillis(), "slide == size is tumbling, allowed");
        assertThrows(IllegalArgumentException.class, () -> new WindowSpec.Sliding(10, 11));
        assertEquals(1, new WindowSpec.Session(1).gapMillis());
        assertEquals("tumbling 1s", Windows.tumbling(Duration.ofSeconds(1)).toString());
        assertEquals(
                "sliding 5s/1s",
                Windows.sliding(Duration.ofSeconds(5), Duration.ofSeconds(1)).toString());
        assertEquals("session gap 2s", Windows.session(Duration.ofSeconds(2)).toString());
        assertEquals("sliding 1m30s/250ms", new WindowSpec.Sliding(90_000, 250).toString());
        assertEquals("1d1h1m1s1ms", WindowSpec.human(90_061_001L));
        assertEquals("0s", WindowSpec.human(0));
        assertEquals("-2s", WindowSpec.human(-2000));
        assertThrows(IllegalArgumentException.class, () -> Windows.tumbling(Duration.ofNanos(999_999)));
    }
}
