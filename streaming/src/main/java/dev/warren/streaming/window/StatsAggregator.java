package dev.warren.streaming.window;

import java.util.function.ToDoubleFunction;

/** Count/sum/min/max in one mutable accumulator; {@link Out} picks what the result shows. */
final class StatsAggregator<E, R>
        implements Aggregator<E, StatsAggregator.Acc, R>, AccumulatorCodec<StatsAggregator.Acc> {

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

    /** "COUNT SUM MIN MAX"; the doubles as {@link Double#toString} writes them, which reads back exactly. */
    @Override
    public String encode(Acc acc) {
        return acc.count + " " + acc.sum + " " + acc.min + " " + acc.max;
    }

    @Override
    public Acc decode(String text) {
        Acc a = new Acc();
        try {
            int i1 = text.indexOf(' ');
            int i2 = text.indexOf(' ', i1 + 1);
            int i3 = text.indexOf(' ', i2 + 1);
            if (i1 < 0 || i2 < 0 || i3 < 0 || text.indexOf(' ', i3 + 1) >= 0) {
                throw new IllegalArgumentException("not four fields");
            }
            a.count = Long.parseLong(text.substring(0, i1));
            a.sum = Double.parseDouble(text.substring(i1 + 1, i2));
            a.min = Double.parseDouble(text.substring(i2 + 1, i3));
            a.max = Double.parseDouble(text.substring(i3 + 1));
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new IllegalArgumentException(
                    "not a count/sum/min/max accumulator: '" + text + "' (" + e.getMessage() + ")", e);
        }
        if (a.count < 0) {
            throw new IllegalArgumentException("not a count/sum/min/max accumulator: '" + text + "' (negative count)");
        }
        return a;
    }

    @Override
    public String toString() {
        return out.name().toLowerCase(java.util.Locale.ROOT);
    }
}
