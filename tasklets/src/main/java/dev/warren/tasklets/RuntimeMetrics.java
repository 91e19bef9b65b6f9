package dev.warren.tasklets;

import dev.warren.tasklets.observe.MetricRegistry;
import dev.warren.tasklets.observe.MetricSink;
import java.util.concurrent.atomic.LongAdder;

/**
 * The runtime's own series in {@link MetricRegistry#global()}: tasklets started, ended by state, live.
 * Counted with {@link LongAdder}s (a spawn adds two striped increments) and written at scrape time;
 * nothing is counted when {@link MetricRegistry#libraryMetrics()} is off.
 */
final class RuntimeMetrics {
    static final boolean ON = MetricRegistry.libraryMetrics();
    static final LongAdder STARTED = new LongAdder();
    private static final LongAdder DONE = new LongAdder();
    private static final LongAdder FAILED = new LongAdder();
    private static final LongAdder CANCELLED = new LongAdder();

    private RuntimeMetrics() {}

    /** Counts a tasklet whose thread ends in {@code state} (a {@link TaskletImpl} state constant). */
    static void ended(int state) {
        switch (state) {
            case TaskletImpl.DONE -> DONE.increment();
            case TaskletImpl.FAILED -> FAILED.increment();
            default -> CANCELLED.increment();
        }
    }

    static void register() {
        if (ON) {
            MetricRegistry.global().register(RuntimeMetrics::collect);
        }
    }

    private static void collect(MetricSink out) {
        // ended before started: a tasklet that starts and ends between the two reads never makes live negative
        long done = DONE.sum();
        long failed = FAILED.sum();
        long cancelled = CANCELLED.sum();
        long started = STARTED.sum();
        out.counter("warren_tasklets_started_total", "Tasklets whose thread was started", started);
        String help = "Tasklets that ended, by final state";
        out.counter("warren_tasklets_ended_total", help, done, "state", "done");
        out.counter("warren_tasklets_ended_total", help, failed, "state", "failed");
        out.counter("warren_tasklets_ended_total", help, cancelled, "state", "cancelled");
        out.gauge("warren_tasklets_live", "Tasklets started and not yet ended", started - done - failed - cancelled);
        out.gauge(
                "warren_carrier_parallelism",
                "Carrier threads of the virtual-thread scheduler (jdk.virtualThreadScheduler.parallelism)",
                SchedulerLoad.PARALLELISM);
        if (SchedulerLoad.measurable()) {
            out.gauge(
                    "warren_virtual_threads_queued",
                    "Virtual threads queued to run, an estimate (VirtualThreadSchedulerMXBean, JDK 24+)",
                    SchedulerLoad.queued());
        }
    }
}
