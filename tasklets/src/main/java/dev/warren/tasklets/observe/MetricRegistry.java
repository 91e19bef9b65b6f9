package dev.warren.tasklets.observe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Named metrics of one process (or of one test): get-or-create by name, and the Prometheus text
 * exposition (format 0.0.4) of all of them.
 *
 * <pre>{@code
 * Counter accepted = MetricRegistry.global().counter("warren_tcp_accepted_total", "Connections accepted");
 * Histogram latency = MetricRegistry.global().histogram("warren_http_request_nanos", "Request latency in ns");
 * MetricRegistry.global().gauge("warren_jobq_backlog", "Jobs waiting", queue::backlog);
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any tasklet or thread at once. Lookups and
 * creation are lock-free ({@link ConcurrentHashMap}); a scrape ({@link #prometheusText()}) walks the
 * metrics without stopping writers and calls gauge suppliers on the calling thread. Nothing blocks.
 *
 * <p><b>Ownership.</b> The registry owns the metric objects it hands out; the same name always gives the
 * same object until {@link #remove(String)}. Code that registers a gauge over an object with a lifetime
 * (a server, a queue) removes it when that object closes.
 *
 * <p><b>Memory consistency.</b> Creating a metric happens-before any lookup that returns it.
 */
public final class MetricRegistry {
    private static final MetricRegistry GLOBAL = new MetricRegistry();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final ConcurrentMap<String, Metric> metrics = new ConcurrentHashMap<>();

    /** An empty registry, e.g. for a test; production code uses {@link #global()}. */
    public MetricRegistry() {}

    /** The process-wide registry that the admin server's {@code /metrics} serves. */
    public static MetricRegistry global() {
        return GLOBAL;
    }

    /**
     * The counter named {@code name}, created with {@code help} if absent.
     *
     * @throws IllegalArgumentException if the name is not a valid Prometheus metric name or is taken by
     *                                  a metric of another type
     */
    public Counter counter(String name, String help) {
        return getOrCreate(name, help, Counter.class, () -> new Counter(name, help));
    }

    /**
     * The histogram named {@code name}, created with {@code help} if absent; exposed as a Prometheus
     * summary with quantiles 0.5, 0.9 and 0.99.
     *
     * @throws IllegalArgumentException as for {@link #counter}
     */
    public Histogram histogram(String name, String help) {
        return getOrCreate(name, help, Histogram.class, () -> new Histogram(name, help));
    }

    /**
     * A gauge reading {@code supplier} at each scrape. If a gauge of that name exists, its supplier is
     * replaced (the newest owner wins: a restarted component re-registers without removing first) and
     * that same gauge is returned.
     *
     * @throws IllegalArgumentException as for {@link #counter}
     */
    public Gauge gauge(String name, String help, LongSupplier supplier) {
        Objects.requireNonNull(supplier, "supplier");
        return doubleGauge(name, help, () -> supplier.getAsLong());
    }

    /** As {@link #gauge(String, String, LongSupplier)}, for a value that is not a whole number. */
    public Gauge doubleGauge(String name, String help, DoubleSupplier supplier) {
        Objects.requireNonNull(supplier, "supplier");
        Gauge g = getOrCreate(name, help, Gauge.class, () -> new Gauge(name, help, supplier));
        g.replace(supplier);
        return g;
    }

    private <M extends Metric> M getOrCreate(
            String name, String help, Class<M> type, java.util.function.Supplier<M> create) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Metric m = metrics.get(name);
        if (m == null) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "not a valid Prometheus metric name (want [a-zA-Z_:][a-zA-Z0-9_:]*): \"" + name + "\"");
            }
            m = metrics.computeIfAbsent(name, n -> create.get());
        }
        if (!type.isInstance(m)) {
            throw new IllegalArgumentException("metric \"" + name + "\" is already a " + m.type() + " ("
                    + m.getClass().getSimpleName() + "), cannot reuse the name for a " + type.getSimpleName());
        }
        return type.cast(m);
    }

    /** The metric named {@code name}, if any. */
    public Optional<Metric> get(String name) {
        return Optional.ofNullable(metrics.get(name));
    }

    /** Removes the metric named {@code name}; returns whether there was one. */
    public boolean remove(String name) {
        return metrics.remove(name) != null;
    }

    /** The metrics, sorted by name. */
    public List<Metric> metrics() {
        List<Metric> all = new ArrayList<>(metrics.values());
        all.sort(Comparator.comparing(Metric::name));
        return all;
    }

    /**
     * Every metric in the Prometheus text exposition format 0.0.4 (content type
     * {@code text/plain; version=0.0.4}), sorted by name, each with its {@code # HELP} and {@code # TYPE}
     * lines. Histograms are summaries: {@code name{quantile="0.5"}} (and 0.9, 0.99), {@code name_sum},
     * {@code name_count}; an empty one has NaN quantiles.
     */
    public String prometheusText() {
        StringBuilder out = new StringBuilder(1024);
        for (Metric m : metrics()) {
            out.append("# HELP ").append(m.name()).append(' ');
            escapeHelp(m.help(), out);
            out.append('\n');
            out.append("# TYPE ").append(m.name()).append(' ').append(m.type()).append('\n');
            switch (m) {
                case Counter c ->
                    out.append(c.name()).append(' ').append(c.sum()).append('\n');
                case Gauge g -> {
                    out.append(g.name()).append(' ');
                    number(g.value(), out);
                    out.append('\n');
                }
                case Histogram h -> {
                    Histogram.Snapshot s = h.snapshot();
                    for (double q : QUANTILES) {
                        out.append(h.name()).append("{quantile=\"").append(q).append("\"} ");
                        if (s.count() == 0) {
                            out.append("NaN");
                        } else {
                            out.append(s.percentile(q * 100));
                        }
                        out.append('\n');
                    }
                    out.append(h.name()).append("_sum ").append(s.sum()).append('\n');
                    out.append(h.name()).append("_count ").append(s.count()).append('\n');
                }
            }
        }
        return out.toString();
    }

    private static void escapeHelp(String help, StringBuilder out) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private static void number(double d, StringBuilder out) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "+Inf" : "-Inf");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }
}
