package dev.warren.tasklets.observe;

/**
 * Writes samples at scrape time: the way a component with counters of its own (a server's
 * {@code LongAdder}s, a queue's stats) exposes them without a second set of counters on its hot path.
 * Register one with {@link MetricRegistry#register(MetricCollector)}.
 *
 * <pre>{@code
 * MetricRegistry.Registration r = MetricRegistry.global().register(out -> {
 *     out.counter("myapp_jobs_done_total", "Jobs done", done.sum(), "queue", "mail");
 *     out.gauge("myapp_jobs_waiting", "Jobs waiting", queue.size(), "queue", "mail");
 * });
 * }</pre>
 *
 * <p><b>Threading.</b> {@link #collect} runs on the scraping thread (the tasklet serving {@code /metrics}),
 * possibly at the same time as another scrape: it must be cheap, must not block, and must be safe to
 * call from any thread. A collector that throws loses its samples for that scrape (logged); the scrape
 * goes on.
 */
@FunctionalInterface
public interface MetricCollector {
    /** Writes this collector's samples now. */
    void collect(MetricSink out);
}
