package dev.warren.tasklets.observe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * One named log stream (libmtev's {@code log_stream}): switched on and off while the program runs,
 * forwarding each line to the SLF4J logger of the same name, counting its lines, and optionally keeping
 * the last lines in a bounded in-memory ring with increasing index numbers (libmtev's {@code memory}
 * log). Streams are declared and found through {@link LogStreams}.
 *
 * <pre>{@code
 * LogStream audit = LogStreams.builder("myapp.audit").enabled(true).memory(1_000, 256 * 1024).declare();
 * audit.log("user {} logged in from {}", user, address);   // formats only while the stream is on
 * if (LogStreams.HTTP_ACCESS.enabled()) {                  // the hot-path form: one volatile read when off
 *     LogStreams.HTTP_ACCESS.log(expensiveLine());
 * }
 * }</pre>
 *
 * <p><b>Cost when off.</b> Every {@code log} method first reads the stream's switch (one volatile read)
 * and returns at once when it is off: no formatting, no allocation beyond what the caller did to build
 * the arguments (a varargs array, a boxed number). Hot paths therefore guard with {@link #enabled()} or
 * pass a {@link Supplier}; the fixed-arity forms allocate nothing for reference arguments.
 *
 * <p><b>When on,</b> a line is formatted once (SLF4J's {@code {}} placeholders; unlike SLF4J, a
 * {@link Throwable} argument fills its placeholder with its {@code toString()}, as any argument does), counted, stored in the
 * ring if the stream keeps one, and handed to the SLF4J logger named {@link #name()} at the stream's
 * {@linkplain #level() level}: whether SLF4J's configuration then prints it is SLF4J's business; the count
 * and the ring do not depend on it.
 *
 * <p><b>Threading.</b> Every method may be called from any thread or tasklet at once. The ring is guarded
 * by a {@link ReentrantLock} held only to add or copy lines (never while calling SLF4J), so a virtual
 * thread logging never pins its carrier. Nothing here blocks beyond that short lock.
 *
 * <p><b>Ownership.</b> A stream lives as long as the process; {@link LogStreams} owns it.
 */
public final class LogStream {
    private final String name;
    private final Level level;
    private final Logger logger;
    private final LongAdder lines = new LongAdder();
    private final Ring ring; // null: no memory ring
    private volatile boolean enabled;

    LogStream(String name, boolean enabled, Level level, int memoryLines, int memoryChars) {
        this.name = name;
        this.enabled = enabled;
        this.level = level;
        this.logger = LoggerFactory.getLogger(name);
        this.ring = memoryLines > 0 ? new Ring(memoryLines, memoryChars) : null;
    }

    /** The stream's name, which is also its SLF4J logger's name. */
    public String name() {
        return name;
    }

    /** The SLF4J level its lines are forwarded at. */
    public Level level() {
        return level;
    }

    /** Whether the stream is on: one volatile read, the guard for hot paths. */
    public boolean enabled() {
        return enabled;
    }

    /** Switches the stream on or off; takes effect for every line logged after it returns. */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** The lines logged since the program started (only lines logged while it was on count). */
    public long lines() {
        return lines.sum();
    }

    /** Whether it keeps its last lines in memory (readable with {@link #read}). */
    public boolean keepsMemory() {
        return ring != null;
    }

    /** The most lines its ring keeps, or 0 without a ring. */
    public int memoryLines() {
        return ring == null ? 0 : ring.maxLines;
    }

    /** The most characters of text its ring keeps, or 0 without a ring. */
    public int memoryChars() {
        return ring == null ? 0 : ring.maxChars;
    }

    /** Logs {@code line} as it is, if the stream is on. */
    public void log(String line) {
        if (enabled) {
            emit(line);
        }
    }

    /** Logs a line built by {@code line}, called only if the stream is on. */
    public void log(Supplier<String> line) {
        if (enabled) {
            emit(line.get());
        }
    }

    /** Logs {@code format} with its one {@code {}} filled in, formatting only if the stream is on. */
    public void log(String format, Object arg) {
        if (enabled) {
            emit(MessageFormatter.basicArrayFormat(format, new Object[] {arg}));
        }
    }

    /** Logs {@code format} with its two {@code {}} filled in, formatting only if the stream is on. */
    public void log(String format, Object arg1, Object arg2) {
        if (enabled) {
            emit(MessageFormatter.basicArrayFormat(format, new Object[] {arg1, arg2}));
        }
    }

    /**
     * Logs {@code format} with its {@code {}} filled in, formatting only if the stream is on (the caller
     * still builds the array: guard with {@link #enabled()} on a hot path).
     */
    public void log(String format, Object... args) {
        if (enabled) {
            emit(MessageFormatter.basicArrayFormat(format, args));
        }
    }

    private void emit(String line) {
        lines.increment();
        if (ring != null) {
            ring.add(line);
        }
        switch (level) {
            case ERROR -> logger.error(line);
            case WARN -> logger.warn(line);
            case INFO -> logger.info(line);
            case DEBUG -> logger.debug(line);
            case TRACE -> logger.trace(line);
        }
    }

    /**
     * The lines in its ring, oldest first, as libmtev's {@code /eventer/logs/NAME.json} reads a memory
     * log: only lines with an index greater than {@code since} (use -1 for all), and of those only the
     * {@code last} most recent ({@code last < 0}: no limit). Empty for a stream without a ring.
     */
    public List<Line> read(int last, long since) {
        return ring == null ? List.of() : ring.read(last, since);
    }

    @Override
    public String toString() {
        return "LogStream[" + name + (enabled ? ", on" : ", off") + (ring != null ? ", memory" : "") + "]";
    }

    /**
     * One line of a memory ring.
     *
     * @param index its number: 1 for the stream's first line, one more for each after it, never reused
     * @param whenMillis when it was logged, in milliseconds since the epoch
     * @param text the formatted line
     */
    public record Line(long index, long whenMillis, String text) {}

    /** The bounded ring: at most maxLines lines and maxChars characters, whichever binds first. */
    private static final class Ring {
        final int maxLines;
        final int maxChars;
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Line> lines = new ArrayDeque<>();
        private long nextIndex = 1;
        private long chars;

        Ring(int maxLines, int maxChars) {
            this.maxLines = maxLines;
            this.maxChars = maxChars;
        }

        void add(String text) {
            long now = System.currentTimeMillis();
            // A line longer than the whole ring is cut rather than evicting everything for nothing.
            String kept = text.length() > maxChars ? text.substring(0, maxChars) : text;
            lock.lock();
            try {
                lines.addLast(new Line(nextIndex++, now, kept));
                chars += kept.length();
                while (lines.size() > maxLines || chars > maxChars) {
                    chars -= lines.removeFirst().text().length();
                }
            } finally {
                lock.unlock();
            }
        }

        List<Line> read(int last, long since) {
            List<Line> out = new ArrayList<>();
            lock.lock();
            try {
                Iterator<Line> newestFirst = lines.descendingIterator();
                while (newestFirst.hasNext() && (last < 0 || out.size() < last)) {
                    Line l = newestFirst.next();
                    if (l.index() <= since) {
                        break;
                    }
                    out.add(l);
                }
            } finally {
                lock.unlock();
            }
            return out.reversed();
        }
    }
}
