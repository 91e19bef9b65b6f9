package dev.warren.streaming.window;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The built-in {@link Aggregator}s. Each keeps a small mutable accumulator per pane, so adding an event
 * allocates nothing.
 *
 * <p>{@code min}, {@code max} and {@code mean} of an empty window are never observed: a window is only
 * emitted when at least one event fell into it. Stateless and thread-safe; an aggregator may be shared
 * by several jobs.
 */
public final class Aggregators {
    private Aggregators() {}

    /** The number of events. */
    public static <E> Aggregator<E, ?, Long> count() {
        return new StatsAggregator<E, Long>(e -> 0, StatsAggregator.Out.COUNT);
    }

    /** The sum of {@code value} over the events. */
    public static <E> Aggregator<E, ?, Double> sum(ToDoubleFunction<? super E> value) {
        return new StatsAggregator<E, Double>(check(value), StatsAggregator.Out.SUM);
    }

    /** The smallest {@code value}. */
    public static <E> Aggregator<E, ?, Double> min(ToDoubleFunction<? super E> value) {
        return new StatsAggregator<E, Double>(check(value), StatsAggregator.Out.MIN);
    }

    /** The largest {@code value}. */
    public static <E> Aggregator<E, ?, Double> max(ToDoubleFunction<? super E> value) {
        return new StatsAggregator<E, Double>(check(value), StatsAggregator.Out.MAX);
    }

    /** The mean of {@code value}. */
    public static <E> Aggregator<E, ?, Double> mean(ToDoubleFunction<? super E> value) {
        return new StatsAggregator<E, Double>(check(value), StatsAggregator.Out.MEAN);
    }

    /** Count, sum, min and max of {@code value} together. */
    public static <E> Aggregator<E, ?, Stats> stats(ToDoubleFunction<? super E> value) {
        return new StatsAggregator<E, Stats>(check(value), StatsAggregator.Out.STATS);
    }

    private static <E> ToDoubleFunction<? super E> check(ToDoubleFunction<? super E> value) {
        return Objects.requireNonNull(value, "value");
    }
}
