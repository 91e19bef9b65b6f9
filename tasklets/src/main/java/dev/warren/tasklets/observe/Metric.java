package dev.warren.tasklets.observe;

/**
 * A named metric kept by a {@link MetricRegistry}: a {@link Counter}, a {@link Gauge}, a {@link Histogram} or a {@link Summary}.
 *
 * <p><b>Threading.</b> Every metric may be updated and read from any tasklet or platform thread at once;
 * no method blocks.
 */
public sealed interface Metric permits Counter, Gauge, Histogram, Summary {

    /** The metric's name, a valid Prometheus metric name. */
    String name();

    /** One line saying what the metric counts, shown as {@code # HELP}. */
    String help();

    /** The Prometheus type word of this metric: {@code counter}, {@code gauge}, {@code histogram} or {@code summary}. */
    String type();
}
