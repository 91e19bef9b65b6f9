package dev.warren.tasklets.observe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Named reports of the process: each a supplier that builds a small JSON-ready tree (maps, lists,
 * strings, numbers, booleans, null; see {@link Json}) when someone asks, e.g. the admin server's
 * {@code /jobq.json} or the dashboard.
 *
 * <pre>{@code
 * try (Reports.Registration r = Reports.register("jobq", () -> queues.stats())) {
 *     ... // "jobq" is visible while the queues run
 * }
 * }</pre>
 *
 * <p><b>Replacing.</b> Registering a name that is already registered <em>replaces</em> the earlier
 * registration (the newest owner wins, as when a component restarts); closing the earlier, replaced
 * registration then does nothing, so it can never unregister its successor.
 *
 * <p><b>Failures.</b> A supplier that throws yields {@code {"error": "<exception>"}} for that report:
 * one broken report never breaks a caller that asked for all of them.
 *
 * <p><b>Threading.</b> Any thread may register, close and read at once. Reads are lock-free
 * ({@link ConcurrentHashMap}); suppliers run on the reading thread, so they must be cheap, must not
 * block, and must be safe to call from any thread.
 *
 * <p><b>Memory consistency.</b> Actions before {@code register} happen-before the supplier's calls
 * through this class.
 */
public final class Reports {
    private static final ConcurrentMap<String, Registration> REPORTS = new ConcurrentHashMap<>();

    private Reports() {}

    /**
     * Registers (or replaces) the report {@code name}.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static Registration register(String name, Supplier<?> snapshot) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(snapshot, "snapshot");
        if (name.isBlank()) {
            throw new IllegalArgumentException("report name must not be blank, was \"" + name + "\"");
        }
        Registration r = new Registration(name, snapshot);
        REPORTS.put(name, r);
        return r;
    }

    /** The names of the registered reports, sorted. */
    public static List<String> names() {
        return REPORTS.keySet().stream().sorted().toList();
    }

    /** The report's tree built now, or empty if no report has that name. */
    public static Optional<Object> snapshot(String name) {
        Registration r = REPORTS.get(name);
        return r == null ? Optional.empty() : Optional.of(r.build());
    }

    /** The report's compact JSON text built now, or empty if no report has that name. */
    public static Optional<String> json(String name) {
        return snapshot(name).map(Json::write);
    }

    /** Every report built now, by name in sorted order. */
    public static Map<String, Object> all() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Registration> e : new TreeMap<>(REPORTS).entrySet()) {
            out.put(e.getKey(), e.getValue().build());
        }
        return out;
    }

    /**
     * One report's registration; {@link #close()} unregisters exactly this registration (if it has not
     * been replaced) and is idempotent. Any thread may close it.
     */
    public static final class Registration implements AutoCloseable {
        private final String name;
        private final Supplier<?> snapshot;

        private Registration(String name, Supplier<?> snapshot) {
            this.name = name;
            this.snapshot = snapshot;
        }

        /** The report's name. */
        public String name() {
            return name;
        }

        /** Whether this registration is the one answering for its name. */
        public boolean isActive() {
            return REPORTS.get(name) == this;
        }

        Object build() {
            try {
                return snapshot.get();
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("error", e.toString());
                return m;
            }
        }

        @Override
        public void close() {
            REPORTS.remove(name, this);
        }

        @Override
        public String toString() {
            return "Reports.Registration[" + name + (isActive() ? "" : ", inactive") + "]";
        }
    }
}
