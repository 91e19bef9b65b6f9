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

    /**
     * {@code aggregator} with a codec for its accumulators ({@link AccumulatorCodec}), so that a job using
     * it can keep a changelog: {@code encode} writes an accumulator as one line of text, {@code decode}
     * reads it back (and throws {@link IllegalArgumentException} for text it did not write).
     */
    public static <E, A, R> Aggregator<E, A, R> withCodec(
            Aggregator<E, A, R> aggregator,
            java.util.function.Function<? super A, String> encode,
            java.util.function.Function<String, ? extends A> decode) {
        Objects.requireNonNull(aggregator, "aggregator");
        Objects.requireNonNull(encode, "encode");
        Objects.requireNonNull(decode, "decode");
        return new Coded<>(aggregator, encode, decode);
    }

    private record Coded<E, A, R>(
            Aggregator<E, A, R> inner,
            java.util.function.Function<? super A, String> encoder,
            java.util.function.Function<String, ? extends A> decoder)
            implements Aggregator<E, A, R>, AccumulatorCodec<A> {
        @Override
        public A create() {
            return inner.create();
        }

        @Override
        public A add(A acc, E event) {
            return inner.add(acc, event);
        }

        @Override
        public A merge(A acc, A other) {
            return inner.merge(acc, other);
        }

        @Override
        public R result(A acc) {
            return inner.result(acc);
        }

        @Override
        public String encode(A acc) {
            return encoder.apply(acc);
        }

        @Override
        public A decode(String text) {
            return decoder.apply(text);
        }
    }

    private static <E> ToDoubleFunction<? super E> check(ToDoubleFunction<? super E> value) {
        return Objects.requireNonNull(value, "value");
    }
}
