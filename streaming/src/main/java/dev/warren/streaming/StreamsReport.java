package dev.warren.streaming;

import dev.warren.tasklets.observe.Reports;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code streams} report: every running job. Registered while at least one job runs; one
 * registration serves all jobs (a report name has one owner).
 */
final class StreamsReport {
    private static final List<JobRuntime<?>> JOBS = new CopyOnWriteArrayList<>();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Reports.Registration registration;

    private static final java.util.concurrent.atomic.AtomicBoolean METRICS =
            new java.util.concurrent.atomic.AtomicBoolean();

    private StreamsReport() {}

    /** The per-job series ({@code job=NAME}), read from each running job's stats at scrape time. */
    private static void collect(dev.warren.tasklets.observe.MetricSink out) {
        for (JobRuntime<?> j : JOBS) {
            JobStats st = j.stats();
            String job = st.name();
            out.counter("warren_stream_events_total", "Events taken by the job's shards", st.eventsIn(), "job", job);
            out.counter(
                    "warren_stream_parse_errors_total", "Raw records that did not parse", st.parseErrors(), "job", job);
            out.counter("warren_stream_late_events_total", "Events for windows already closed", st.late(), "job", job);
            out.counter(
                    "warren_stream_future_events_total",
                    "Events stamped too far ahead of the clock",
                    st.future(),
                    "job",
                    job);
            out.counter(
                    "warren_stream_dropped_events_total", "Events refused by backpressure", st.dropped(), "job", job);
            out.counter(
                    "warren_stream_upstream_drops_total",
                    "Records lost before a source read them (UDP kernel" + " drops)",
                    st.upstreamDrops(),
                    "job",
                    job);
            out.counter(
                    "warren_stream_windows_emitted_total",
                    "Window results handed to the sinks",
                    st.windowsEmitted(),
                    "job",
                    job);
            out.counter(
                    "warren_stream_callback_errors_total",
                    "Exceptions thrown by user callbacks",
                    st.callbackErrors(),
                    "job",
                    job);
            out.gauge("warren_stream_live_keys", "Keys holding state now", st.liveKeys(), "job", job);
        }
    }

    static void add(JobRuntime<?> job) {
        LOCK.lock();
        try {
            JOBS.add(job);
            if (dev.warren.tasklets.observe.MetricRegistry.libraryMetrics() && METRICS.compareAndSet(false, true)) {
                dev.warren.tasklets.observe.MetricRegistry.global().register(StreamsReport::collect);
            }
            if (registration == null || !registration.isActive()) {
                registration = Reports.register("streams", StreamsReport::snapshot);
            }
        } finally {
            LOCK.unlock();
        }
    }

    static void remove(JobRuntime<?> job) {
        LOCK.lock();
        try {
            JOBS.remove(job);
            if (JOBS.isEmpty() && registration != null) {
                registration.close();
                registration = null;
            }
        } finally {
            LOCK.unlock();
        }
    }

    static Map<String, Object> snapshot() {
        List<Object> jobs = new ArrayList<>();
        for (JobRuntime<?> j : JOBS) {
            jobs.add(j.report());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", jobs);
        return m;
    }
}
