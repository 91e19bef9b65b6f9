package dev.warren.tasklets.observe;

import java.util.function.DoubleSupplier;

/**
 * A value read from its owner at snapshot time (queue depth, live connections, ...): the gauge holds a
 * supplier, not a number.
 *
 * <p><b>Threading.</b> {@link #value()} calls the supplier on the calling thread (typically the tasklet
 * serving {@code /metrics}), so the supplier must be cheap, must not block, and must be safe to call
 * from any thread. A supplier that throws reads as {@code NaN}; the scrape goes on.
 *
 * <p><b>Ownership.</b> Registering a gauge under a name that already holds a gauge replaces the supplier
 * (the newest owner wins; see {@link MetricRegistry#gauge}); the owner should
 * {@link MetricRegistry#remove(String, String...) remove} it when it closes so a dead object is not kept reachable.
 *
 * <p><b>Memory consistency.</b> The supplier is held in a volatile field: a replacement is seen by every
 * later {@code value()}.
 */
public final class Gauge implements Metric {
    private final String name;
    private final String help;
    private volatile DoubleSupplier supplier;

    Gauge(String name, String help, DoubleSupplier supplier) {
        this.name = name;
        this.help = help;
        this.supplier = supplier;
    }

    void replace(DoubleSupplier newSupplier) {
        this.supplier = newSupplier;
    }

    /** Reads the value now; {@code NaN} if the supplier threw. */
    public double value() {
        try {
            return supplier.getAsDouble();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
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
        return "gauge";
    }

    @Override
    public String toString() {
        return "Gauge[" + name + "=" + value() + "]";
    }
}
