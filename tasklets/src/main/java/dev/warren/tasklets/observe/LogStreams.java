package dev.warren.tasklets.observe;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import org.slf4j.event.Level;

/**
 * The process's named {@link LogStream}s: Warren's own and any an application declares, each switched
 * on and off with one call ({@link #enable(String, boolean)}, or {@code PUT /logs/NAME?enabled=true} on
 * the admin server), and their line counts as the metric {@code warren_log_lines_total{stream="NAME"}}.
 *
 * <p><b>Warren's streams</b> (all forwarded to the SLF4J logger of the same name; each keeps its last
 * 1,000 lines, at most 256 Ki characters, in memory):
 * <ul>
 *   <li>{@link #HTTP_ACCESS} {@code http.access}: one line per HTTP request answered by any
 *       {@code HttpServer}; off by default;
 *   <li>{@link #NET_CLOSE} {@code net.close}: one line per server connection closed, with its reason;
 *       off by default;
 *   <li>{@link #STREAM_LATE} {@code stream.late} and {@link #STREAM_PARSE} {@code stream.parse}: events
 *       a stream job dropped as too late, and input lines it could not parse; off by default;
 *   <li>{@link #JOBQ} {@code jobq}: job-queue jobs that failed, timed out or were rejected; off by
 *       default;
 *   <li>{@link #WATCHDOG} {@code watchdog}: overdue heartbeats and scheduler stalls, at WARN; <b>on</b> by
 *       default.
 * </ul>
 *
 * <pre>{@code
 * LogStreams.enable("net.close", true);                    // or LogStreams.NET_CLOSE.enabled(true)
 * LogStream mine = LogStreams.declare("myapp.orders");     // off, no memory ring
 * LogStream kept = LogStreams.builder("myapp.audit").enabled(true).memory(1_000, 256 * 1024).declare();
 * }</pre>
 *
 * <p><b>Names</b> are 1 to 100 characters of letters, digits, {@code .}, {@code _}, {@code -} and
 * {@code /}, so that they fit an admin URL and a console command as they are.
 *
 * <p><b>Threading.</b> Every method may be called from any thread at once; lookups are lock-free and
 * declaring never blocks.
 */
public final class LogStreams {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._/-]{1,100}");
    private static final ConcurrentMap<String, LogStream> STREAMS = new ConcurrentHashMap<>();
    private static final int BUILT_IN_LINES = 1_000;
    private static final int BUILT_IN_CHARS = 256 * 1024;

    /** {@code http.access}: a line per HTTP request answered. */
    public static final LogStream HTTP_ACCESS = builtIn("http.access", false, Level.INFO);

    /** {@code net.close}: a line per server connection closed, with its reason. */
    public static final LogStream NET_CLOSE = builtIn("net.close", false, Level.INFO);

    /** {@code stream.late}: events a stream job dropped because their window had closed. */
    public static final LogStream STREAM_LATE = builtIn("stream.late", false, Level.INFO);

    /** {@code stream.parse}: input a stream source could not parse. */
    public static final LogStream STREAM_PARSE = builtIn("stream.parse", false, Level.INFO);

    /** {@code jobq}: job-queue jobs that failed, timed out or were rejected. */
    public static final LogStream JOBQ = builtIn("jobq", false, Level.INFO);

    /** {@code watchdog}: overdue heartbeats and scheduler stalls; on by default. */
    public static final LogStream WATCHDOG = builtIn("watchdog", true, Level.WARN);

    static {
        if (MetricRegistry.libraryMetrics()) {
            MetricRegistry.global().register(out -> {
                for (LogStream s : all()) {
                    out.counter(
                            "warren_log_lines_total",
                            "Lines logged to each log stream while it was on",
                            s.lines(),
                            "stream",
                            s.name());
                    out.gauge(
                            "warren_log_stream_enabled",
                            "Whether each log stream is on (1) or off (0)",
                            s.enabled() ? 1 : 0,
                            "stream",
                            s.name());
                }
            });
        }
    }

    private LogStreams() {}

    private static LogStream builtIn(String name, boolean enabled, Level level) {
        LogStream s = new LogStream(name, enabled, level, BUILT_IN_LINES, BUILT_IN_CHARS);
        STREAMS.put(name, s);
        return s;
    }

    /**
     * The stream {@code name}, declared now (off, INFO, no memory ring) if no stream has that name.
     *
     * @throws IllegalArgumentException if the name is not valid (see the class comment)
     */
    public static LogStream declare(String name) {
        return builder(name).declare();
    }

    /**
     * A builder for the stream {@code name}.
     *
     * @throws IllegalArgumentException if the name is not valid (see the class comment)
     */
    public static Builder builder(String name) {
        return new Builder(checkName(name));
    }

    /** The stream named {@code name}, if one was declared. */
    public static Optional<LogStream> find(String name) {
        return Optional.ofNullable(STREAMS.get(name));
    }

    /** Every declared stream, sorted by name. */
    public static List<LogStream> all() {
        return STREAMS.values().stream()
                .sorted(java.util.Comparator.comparing(LogStream::name))
                .toList();
    }

    /**
     * Switches the stream {@code name} on or off.
     *
     * @return the stream
     * @throws IllegalArgumentException if no stream has that name; the message lists those that exist
     */
    public static LogStream enable(String name, boolean on) {
        Objects.requireNonNull(name, "name");
        LogStream s = STREAMS.get(name);
        if (s == null) {
            throw new IllegalArgumentException(unknown(name));
        }
        s.enabled(on);
        return s;
    }

    /** The message for a name that is no stream: it names the value and lists the streams. */
    public static String unknown(String name) {
        return "no log stream named '" + name + "'; streams: "
                + String.join(", ", all().stream().map(LogStream::name).toList());
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("log stream name must be 1 to 100 letters, digits, '.', '_', '-' or"
                    + " '/', was '" + (name.length() > 120 ? name.substring(0, 120) + "..." : name) + "'");
        }
        return name;
    }

    /**
     * Declares one stream. The first declaration of a name decides its options; declaring it again
     * returns that stream and ignores the options given. Not thread-safe; {@link #declare()} is.
     */
    public static final class Builder {
        private final String name;
        private boolean enabled;
        private Level level = Level.INFO;
        private int memoryLines;
        private int memoryChars;

        private Builder(String name) {
            this.name = name;
        }

        /** Whether it starts on. Default off. */
        public Builder enabled(boolean on) {
            this.enabled = on;
            return this;
        }

        /** The SLF4J level its lines are forwarded at. Default INFO. */
        public Builder level(Level level) {
            this.level = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * Keeps its last lines in memory: at most {@code lines} lines and {@code chars} characters
         * (libmtev's {@code memory} log, {@code path="lines,bytes"}); the oldest lines go first, and a
         * single line longer than {@code chars} is kept cut to its first {@code chars} characters. Default: no ring.
         *
         * @throws IllegalArgumentException if either is not {@code > 0}
         */
        public Builder memory(int lines, int chars) {
            if (lines <= 0) {
                throw new IllegalArgumentException("memory lines must be > 0, was " + lines);
            }
            if (chars <= 0) {
                throw new IllegalArgumentException("memory chars must be > 0, was " + chars);
            }
            this.memoryLines = lines;
            this.memoryChars = chars;
            return this;
        }

        /** The stream of that name: declared now with these options, or the one declared before. */
        public LogStream declare() {
            return STREAMS.computeIfAbsent(name, n -> new LogStream(n, enabled, level, memoryLines, memoryChars));
        }
    }
}
