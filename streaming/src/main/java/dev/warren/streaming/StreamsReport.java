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

    private StreamsReport() {}

    static void add(JobRuntime<?> job) {
        LOCK.lock();
        try {
            JOBS.add(job);
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
