package dev.warren.streaming.window;

import java.util.function.ToDoubleFunction;

/** Count/sum/min/max in one mutable accumulator; {@link Out} picks what the result shows. */
final class StatsAggregator<E, R> implements Aggregator<E, StatsAggregator.Acc, R> {

    enum Out {
        COUNT,
        SUM,
        MIN,
        MAX,
        MEAN,
        STATS
    }

    static final class Acc {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
    }

    private final ToDoubleFunction<? super E> value;
    private final Out out;

    StatsAggregator(ToDoubleFunction<? super E> value, Out out) {
        this.value = value;
        this.out = out;
    }

    @Override
    public Acc create() {
        return new Acc();
    }

    @Override
    public Acc add(Acc acc, E event) {
        acc.count++;
        if (out != Out.COUNT) {
            double v = value.applyAsDouble(event);
            acc.sum += v;
            if (v < acc.min) {
                acc.min = v;
            }
            if (v > acc.max) {
                acc.max = v;
            }
        }
        return acc;
    }

    @Override
    public Acc merge(Acc acc, Acc other) {
        acc.count += other.count;
        acc.sum += other.sum;
        acc.min = Math.min(acc.min, other.min);
        acc.max = Math.max(acc.max, other.max);
        return acc;
    }

    @Override
    @SuppressWarnings("unchecked")
    public R result(Acc acc) {
        Object r = switch (out) {
            case COUNT -> acc.count;
            case SUM -> acc.sum;
            case MIN -> acc.min;
            case MAX -> acc.max;
            case MEAN -> acc.count == 0 ? Double.NaN : acc.sum / acc.count;
            case STATS -> new Stats(acc.count, acc.sum, acc.min, acc.max);
        };
        return (R) r;
    }

    @Override
    public String toString() {
        return out.name().toLowerCase(java.util.Locale.ROOT);
    }
}
