package dev.warren.tasklets.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonically increasing count, striped ({@link LongAdder}) so that many tasklets can increment it
 * on hot paths without contending on one cache line.
 *
 * <p><b>Threading.</b> Any thread may call any method at any time; none blocks. {@link #sum()} is not an
 * atomic snapshot: increments that race with it may or may not be included, but every increment that
 * happened-before the call is.
 *
 * <p>Obtain one from {@link MetricRegistry#counter(String, String, String...)}; the registry owns it and a counter
 * has nothing to close.
 */
public final class Counter implements Metric {
    private final String name;
    private final String help;
    private final LongAdder adder = new LongAdder();

    Counter(String name, String help) {
        this.name = name;
        this.help = help;
    }

    /** Adds one. */
    public void increment() {
        adder.increment();
    }

    /**
     * Adds {@code n}.
     *
     * @throws IllegalArgumentException if {@code n} is negative (a counter never goes down)
     */
    public void add(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("counter " + name + " can only go up, add(" + n + ")");
        }
        adder.add(n);
    }

    /** The current total. */
    public long sum() {
        return adder.sum();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public String type() {
        return "counter";
    }

    @Override
    public String toString() {
        return "Counter[" + name + "=" + sum() + "]";
    }
}
