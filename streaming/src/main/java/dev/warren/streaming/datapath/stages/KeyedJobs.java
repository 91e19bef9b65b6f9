package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.StreamJob;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link StreamJob}s that {@code (keyed,job=NAME)} stages can feed, by name: a datapath ends in keyed
 * windows.
 *
 * <pre>{@code
 * try (StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("temps").parse(KeyValue::parse)...start();
 *         KeyedJobs.Registration r = KeyedJobs.attach("temps", job);
 *         Datapath dp = Datapaths.insert("(udpsock,port=9999) > (lines) > (keyed,job=temps)")) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> Every method may be called from any thread and never blocks.
 */
public final class KeyedJobs {
    private static final Map<String, StreamJob<?>> JOBS = new ConcurrentHashMap<>();

    private KeyedJobs() {}

    /**
     * Makes {@code job} the target of {@code (keyed,job=name)} until the registration is closed. The job
     * must have a line parser ({@link StreamJob.Builder#parse}): each block is one record, decoded as UTF-8.
     *
     * @throws IllegalStateException if {@code name} is attached already
     */
    public static Registration attach(String name, StreamJob<?> job) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(job, "job");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        StreamJob<?> earlier = JOBS.putIfAbsent(name, job);
        if (earlier != null) {
            throw new IllegalStateException("a job is attached as '" + name + "' already: " + earlier.name());
        }
        return new Registration(name, job);
    }

    static StreamJob<?> get(String name) {
        StreamJob<?> j = JOBS.get(name);
        if (j == null) {
            List<String> names = JOBS.keySet().stream().sorted().toList();
            throw new IllegalArgumentException("no StreamJob is attached as '" + name
                    + "' (KeyedJobs.attach(name, job);"
                    + (names.isEmpty() ? " none is attached)" : " attached: " + String.join(", ", names) + ")"));
        }
        return j;
    }

    /** An attachment; {@link #close()} detaches the job (datapaths already feeding it go on). Idempotent. */
    public static final class Registration implements AutoCloseable {
        private final String name;
        private final StreamJob<?> job;

        private Registration(String name, StreamJob<?> job) {
            this.name = name;
            this.job = job;
        }

        @Override
        public void close() {
            JOBS.remove(name, job);
        }
    }
}
