package dev.warren.tasklets.observe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics of one process (or of one test): series owned by the registry (get-or-create by name and
 * labels), {@link MetricCollector}s that write samples at scrape time, and the Prometheus text
 * exposition (format 0.0.4) of all of them.
 *
 * <pre>{@code
 * Counter done = MetricRegistry.global().counter("myapp_jobs_done_total", "Jobs done", "queue", "mail");
 * Histogram latency = MetricRegistry.global().histogram(
 *         "myapp_request_duration_seconds", "Request latency", Histogram.Buckets.LATENCY);
 * MetricRegistry.global().gauge("myapp_backlog", "Jobs waiting", queue::size);
 * }</pre>
 *
 * <p><b>Naming.</b> Names are Prometheus metric names with base units ({@code _seconds}, {@code _bytes});
 * counters end in {@code _total}. Label values may be anything (escaped on output). Warren's own metrics
 * start with {@code warren_}; see {@link #libraryMetrics()} for turning them off.
 *
 * <p><b>Threading.</b> Every method may be called from any tasklet or thread at once. Lookups and
 * creation are lock-free; a scrape ({@link #prometheusText()}) walks the metrics without stopping
 * writers and calls gauge suppliers and collectors on the calling thread. Nothing blocks.
 *
 * <p><b>Ownership.</b> The registry owns the metric objects it hands out: the same name and labels
 * always give the same object until {@link #remove}. Code that registers a gauge or a collector over an
 * object with a lifetime (a server, a queue) removes it when that object closes.
 *
 * <p><b>Memory consistency.</b> Creating a metric or registering a collector happens-before any scrape
 * that includes it.
 */
public final class MetricRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(MetricRegistry.class);
    private static final MetricRegistry GLOBAL = new MetricRegistry();
    private static final boolean LIBRARY_METRICS = readSwitch();

    /** The recent window of histograms in {@link #toTree()}, in seconds. */
    public static final int RECENT_SECONDS = 10;

    private final ConcurrentMap<String, Series> owned = new ConcurrentHashMap<>();
    private final List<Registration> collectors = new CopyOnWriteArrayList<>();
    private final LogLimiter collectorErrors = new LogLimiter(java.time.Duration.ofSeconds(60));

    /** An empty registry, e.g. for a test; production code uses {@link #global()}. */
    public MetricRegistry() {}

    /** The process-wide registry that the admin server's {@code /metrics} serves. */
    public static MetricRegistry global() {
        return GLOBAL;
    }

    /**
     * Whether Warren's own components count and register their metrics (the {@code warren_*} series),
     * from the system property {@code warren.metrics} read once at start-up: {@code true} by default,
     * {@code -Dwarren.metrics=false} turns them off (for an A/B measurement of their cost). Counters that
     * the components keep for their own {@code stats()} run either way; what stops is the extra
     * per-request work (HTTP requests by method and status, the duration histogram, tasklet counts) and
     * every registration with {@link #global()}. Reports are not affected.
     */
    public static boolean libraryMetrics() {
        return LIBRARY_METRICS;
    }

    private static boolean readSwitch() {
        String v = System.getProperty("warren.metrics", "true").trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("false") || v.equalsIgnoreCase("off")) {
            return false;
        }
        LoggerFactory.getLogger(MetricRegistry.class)
                .warn("-Dwarren.metrics must be true or false, was '{}'; library metrics stay on", v);
        return true;
    }

    /**
     * The counter with this name and labels, created if absent.
     *
     * @param labels name/value pairs, e.g. {@code "queue", "mail"}
     * @throws IllegalArgumentException if the name is not a valid metric name or does not end in
     *     {@code _total}, a label is invalid (see {@link Labels#of}), or the name is taken by a metric of
     *     another type
     */
    public Counter counter(String name, String help, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter names end in _total, was \"" + name + "\"");
        }
        return getOrCreate(name, help, Labels.of(labels), Counter.class, () -> new Counter(name, help));
    }

    /**
     * The histogram with this name and labels, created with {@code buckets} if absent.
     *
     * @throws IllegalArgumentException as for {@link #counter}, or if it exists with other buckets
     */
    public Histogram histogram(String name, String help, Histogram.Buckets buckets, String... labels) {
        Objects.requireNonNull(buckets, "buckets");
        Labels l = Labels.of(labels);
        if (l.has("le")) {
            throw new IllegalArgumentException("histogram " + name + " cannot have a label named le");
        }
        Histogram h = getOrCreate(name, help, l, Histogram.class, () -> new Histogram(name, help, buckets));
        if (!h.buckets().equals(buckets)) {
            throw new IllegalArgumentException(
                    "histogram " + name + l + " exists with " + h.buckets() + ", asked for " + buckets);
        }
        return h;
    }

    /**
     * The summary (precise quantiles computed in-process, see {@link Summary}) with this name and labels,
     * created if absent.
     *
     * @throws IllegalArgumentException as for {@link #counter}
     */
    public Summary summary(String name, String help, String... labels) {
        Labels l = Labels.of(labels);
        if (l.has("quantile")) {
            throw new IllegalArgumentException("summary " + name + " cannot have a label named quantile");
        }
        return getOrCreate(name, help, l, Summary.class, () -> new Summary(name, help));
    }

    /**
     * A gauge reading {@code supplier} at each scrape. If that gauge exists, its supplier is replaced
     * (the newest owner wins: a restarted component re-registers without removing first) and that same
     * gauge is returned.
     *
     * @throws IllegalArgumentException as for {@link #counter} (but gauges need no {@code _total})
     */
    public Gauge gauge(String name, String help, LongSupplier supplier, String... labels) {
        Objects.requireNonNull(supplier, "supplier");
        return doubleGauge(name, help, () -> supplier.getAsLong(), labels);
    }

    /** As {@link #gauge(String, String, LongSupplier, String...)}, for a value that is not a whole number. */
    public Gauge doubleGauge(String name, String help, DoubleSupplier supplier, String... labels) {
        Objects.requireNonNull(supplier, "supplier");
        Gauge g = getOrCreate(name, help, Labels.of(labels), Gauge.class, () -> new Gauge(name, help, supplier));
        g.replace(supplier);
        return g;
    }

    private <M extends Metric> M getOrCreate(String name, String help, Labels labels, Class<M> type, Supplier<M> make) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        String key = name + labels;
        Series s = owned.get(key);
        if (s == null) {
            MetricSink.checkName(name);
            for (Series other : owned.values()) {
                if (other.metric.name().equals(name) && !type.isInstance(other.metric)) {
                    throw clash(name, other.metric, type);
                }
            }
            s = owned.computeIfAbsent(key, k -> new Series(make.get(), labels));
        }
        if (!type.isInstance(s.metric)) {
            throw clash(name, s.metric, type);
        }
        return type.cast(s.metric);
    }

    private static IllegalArgumentException clash(String name, Metric existing, Class<?> wanted) {
        return new IllegalArgumentException("metric \"" + name + "\" is already a " + existing.type() + " ("
                + existing.getClass().getSimpleName() + "), cannot reuse the name for a " + wanted.getSimpleName());
    }

    /** The owned metric with this name and labels, if any. */
    public Optional<Metric> get(String name, String... labels) {
        Series s = owned.get(name + Labels.of(labels));
        return s == null ? Optional.empty() : Optional.of(s.metric);
    }

    /** Removes the owned metric with this name and labels; returns whether there was one. */
    public boolean remove(String name, String... labels) {
        return owned.remove(name + Labels.of(labels)) != null;
    }

    /** The owned metrics, sorted by name (collectors' samples are not listed). */
    public List<Metric> metrics() {
        List<Series> all = new ArrayList<>(owned.values());
        all.sort(Comparator.comparing((Series s) -> s.metric.name()).thenComparing(s -> s.labels.toString()));
        return all.stream().map(s -> s.metric).toList();
    }

    /**
     * Adds a collector; its samples are part of every scrape until the registration is closed.
     * Registering the same collector twice adds it twice.
     */
    public Registration register(MetricCollector collector) {
        Registration r = new Registration(Objects.requireNonNull(collector, "collector"));
        collectors.add(r);
        return r;
    }

    /** Every sample now: owned series first, then the collectors in registration order. */
    public MetricSink collect() {
        MetricSink sink = new MetricSink();
        for (Series s : owned.values()) {
            Metric m = s.metric;
            switch (m) {
                case Counter c -> sink.add(c.name(), c.help(), "counter", s.labels, (double) c.sum());
                case Gauge g -> sink.add(g.name(), g.help(), "gauge", s.labels, g.value());
                case Histogram h -> sink.histogram(h.name(), h.help(), h, s.labels);
                case Summary x -> sink.summary(x.name(), x.help(), x, s.labels);
            }
        }
        for (Registration r : collectors) {
            try {
                r.collector.collect(sink);
            } catch (RuntimeException e) {
                long heldBack = collectorErrors.admit();
                if (heldBack >= 0) {
                    LOG.warn(
                            "metric collector {} failed; its samples are missing from this scrape{}",
                            r.collector,
                            collectorErrors.suffix(heldBack),
                            e);
                }
            }
        }
        if (!sink.duplicates().isEmpty()) {
            long heldBack = collectorErrors.admit();
            if (heldBack >= 0) {
                LOG.warn(
                        "series written twice in one scrape, the later ones dropped: {}{}",
                        sink.duplicates(),
                        collectorErrors.suffix(heldBack));
            }
        }
        return sink;
    }

    /**
     * Every metric in the Prometheus text exposition format 0.0.4 (content type
     * {@code text/plain; version=0.0.4; charset=utf-8}), families sorted by name, each with its
     * {@code # HELP} and {@code # TYPE} lines: counters as {@code name_total}, gauges, histograms as
     * {@code _bucket{le=...}} (cumulative, ending with {@code +Inf}), {@code _sum} and {@code _count},
     * summaries as {@code {quantile=...}}, {@code _sum} and {@code _count}.
     */
    public String prometheusText() {
        StringBuilder out = new StringBuilder(4096);
        collect().writeText(out);
        return out.toString();
    }

    /**
     * Every metric as a JSON-ready list of families (see {@link Json}); histograms carry their recent
     * view over the last {@value #RECENT_SECONDS} seconds besides the cumulative buckets. The admin
     * server's {@code /metrics.json}, read by its dashboard.
     */
    public List<Object> toTree() {
        return collect().toTree(RECENT_SECONDS);
    }

    private record Series(Metric metric, Labels labels) {}

    /** A collector's registration; {@link #close()} removes it (idempotent, any thread). */
    public final class Registration implements AutoCloseable {
        final MetricCollector collector;

        Registration(MetricCollector collector) {
            this.collector = collector;
        }

        @Override
        public void close() {
            collectors.remove(this);
        }
    }
}
