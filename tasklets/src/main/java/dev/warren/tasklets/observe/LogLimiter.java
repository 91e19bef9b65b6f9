package dev.warren.tasklets.observe;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one log line through per period and counts the ones it holds back, so that a condition that
 * repeats thousands of times a second (a full descriptor table, a handler that fails on every
 * request) is reported, with its count, instead of flooding the log.
 *
 * <pre>{@code
 * private final LogLimiter acceptFailures = new LogLimiter(Duration.ofSeconds(10));
 * ...
 * long heldBack = acceptFailures.admit();
 * if (heldBack >= 0) {
 *     LOG.warn("{}: accept failed: {}{}", name, e.toString(), acceptFailures.suffix(heldBack));
 * }
 * }</pre>
 *
 * <p>The first occurrence always passes; after that at most one per period, which carries the number
 * held back since the previous one ("… 1,215 more in the last 10 s").
 *
 * <p><b>Threading.</b> Any number of threads may call {@link #admit()} at once; it never blocks and
 * costs a clock read and, when a line passes, a compare-and-set.
 */
public final class LogLimiter {
    private final long periodNanos;
    private final String periodText;
    /** When the last line was let through (nanoTime); Long.MIN_VALUE before the first. */
    private final AtomicLong lastPassed = new AtomicLong(Long.MIN_VALUE);

    private final AtomicLong heldBack = new AtomicLong();

    /** A limiter letting one line through per {@code period} ({@code > 0}). */
    public LogLimiter(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be > 0, was " + period);
        }
        this.periodNanos = period.toNanos();
        this.periodText = text(period);
    }

    /**
     * Counts an occurrence. Returns -1 if its line is to be held back, otherwise (the line goes out)
     * the number of lines held back since the previous one that went out.
     */
    public long admit() {
        long now = System.nanoTime();
        long last = lastPassed.get();
        if ((last == Long.MIN_VALUE || now - last >= periodNanos) && lastPassed.compareAndSet(last, now)) {
            return heldBack.getAndSet(0);
        }
        heldBack.incrementAndGet();
        return -1;
    }

    /** The tail for a line that went out after {@code heldBack} were held back: empty, or " (N more in the last P)". */
    public String suffix(long heldBack) {
        if (heldBack <= 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (%,d more in the last %s)", heldBack, periodText);
    }

    private static String text(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() + " ms";
    }
}
