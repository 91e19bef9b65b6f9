package dev.warren.tasklets.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Watches, in-process, for virtual threads that pin their carrier thread: streams the JFR events
 * {@code jdk.VirtualThreadPinned} (threshold 0, with stack traces) and {@code jdk.VirtualThreadSubmitFailed}
 * through a {@link RecordingStream}, counts them, remembers the last few, and publishes the report
 * {@code "pinning"} (see {@link Reports}) while it runs.
 *
 * <p><b>What pins.</b> JDK 21–23: blocking (sleep, I/O, park, {@code Object.wait}) while holding a
 * monitor ({@code synchronized}), or with a native frame on the stack. JDK 24+ (JEP 491): monitors no
 * longer pin; blocking with a native frame or VM call on the stack still does, notably inside a class
 * initializer ({@code <clinit>}) — the JDK reports it as {@code "VM call to X.<clinit> on stack"}.
 * An event is <em>ours</em> when any frame of its stack belongs to a class whose name starts with the
 * configured prefix ({@value #DEFAULT_PREFIX} by default).
 *
 * <p><b>Asking "did anything pin between t0 and t1?"</b> JFR writes events in chunks and the stream
 * delivers them later (about once a second on its own). {@link #mark()} commits a tiny JFR event and
 * returns a {@link Mark}; {@link #awaitDelivered(Duration)} forces JFR to write everything committed so
 * far and blocks until the stream has delivered it; then {@link #events(Mark, Mark)} answers exactly,
 * because marks and pin events are compared on JFR's own clock:
 *
 * <pre>{@code
 * PinningMonitor monitor = PinningMonitor.shared();
 * PinningMonitor.Mark t0 = monitor.mark();
 * runTheCode();
 * PinningMonitor.Mark t1 = monitor.mark();
 * monitor.awaitDelivered(Duration.ofSeconds(10));
 * List<PinEvent> pinned = monitor.events(t0, t1);
 * }</pre>
 *
 * <p>{@code awaitDelivered} forces a chunk rotation ({@link FlightRecorder#takeSnapshot()}) so that
 * everything committed before the call sits in finished chunks, commits a mark that can only land in a
 * later chunk, rotates again to write that, and waits for the mark: since the stream reads chunks in
 * order, seeing it proves every earlier event was delivered. Typically a few milliseconds; when the
 * JDK's stream reader is napping on the repository directory it rotates again to wake it. Rotation is
 * process-wide and cheap, but not free: call it at test-class granularity, not per request.
 *
 * <p><b>Threading.</b> Any thread may call any method. {@link #mark()}, {@link #events} and the counters
 * never block; {@link #awaitDelivered} blocks (on a {@link ReentrantLock} condition, never in
 * {@code synchronized}) until delivery or the timeout. Events are processed on the JDK's stream thread.
 *
 * <p><b>Ownership and closing.</b> A monitor owns its recording stream and its report registration;
 * {@link #close()} stops both and is idempotent. {@link #shared()} is a process-wide monitor started on
 * first use and meant to live as long as the process.
 *
 * <p><b>Memory consistency.</b> Every event delivered before {@code awaitDelivered} returns true is
 * visible to {@code events} and the counters in the calling thread afterwards.
 */
public final class PinningMonitor implements AutoCloseable {
    /** The default class-name prefix of "our" code. */
    public static final String DEFAULT_PREFIX = "dev.warren.";
    /** How many frames of each stack are kept. */
    public static final int FRAMES = 12;
    /** How many events are kept for {@link #events} queries before the oldest are dropped. */
    static final int HISTORY = 10_000;

    private static final int MAX_MARKS = 100_000;
    private static final String PINNED = "jdk.VirtualThreadPinned";
    private static final String SUBMIT_FAILED = "jdk.VirtualThreadSubmitFailed";
    private static final AtomicLong SEQ = new AtomicLong();
    private static final ReentrantLock SHARED_LOCK = new ReentrantLock();
    private static volatile PinningMonitor shared;

    /** A point on JFR's timeline made by {@link #mark()}. Marks of one monitor are usable with any other. */
    public record Mark(long seq) {}

    private final String prefix;
    private final int keepLast;
    private final RecordingStream stream;
    private final ConcurrentLinkedDeque<PinEvent> history = new ConcurrentLinkedDeque<>();
    private final AtomicInteger historySize = new AtomicInteger();
    private final ConcurrentSkipListMap<Long, Instant> markTimes = new ConcurrentSkipListMap<>();
    private volatile long forgottenBelow;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition delivered = lock.newCondition();
    private final AtomicLong pinned = new AtomicLong();
    private final AtomicLong pinnedOurs = new AtomicLong();
    private final AtomicLong submitFailed = new AtomicLong();
    private final Reports.Registration report;
    /** The monitor's counters in the global metrics, beside its report; null without a report or metrics. */
    private final MetricRegistry.Registration metrics;

    private volatile boolean closed;
    private volatile Throwable streamError;

    private PinningMonitor(Builder b) {
        this.prefix = b.prefix;
        this.keepLast = b.keepLast;
        RecordingStream rs = new RecordingStream();
        try {
            rs.enable(PINNED).withThreshold(Duration.ZERO).withStackTrace();
            rs.enable(SUBMIT_FAILED).withStackTrace();
            rs.enable(PinningMark.class);
            // Chunks are kept only until read; the bound matters only if the reader falls far behind.
            rs.setMaxAge(Duration.ofMinutes(5));
            rs.onEvent(PINNED, e -> onEvent(e, "pinned"));
            rs.onEvent(SUBMIT_FAILED, e -> onEvent(e, "submit-failed"));
            rs.onEvent(PinningMark.NAME, this::onMark);
            rs.onError(t -> streamError = t);
            rs.startAsync();
        } catch (RuntimeException | Error e) {
            rs.close();
            throw e;
        }
        this.stream = rs;
        this.report = b.reportName == null ? null : Reports.register(b.reportName, this::toTree);
        this.metrics = b.reportName == null || !MetricRegistry.libraryMetrics()
                ? null
                : MetricRegistry.global().register(this::collect);
    }

    /** A builder with the defaults: prefix {@value #DEFAULT_PREFIX}, keep the last 16, report "pinning". */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a monitor with the defaults; see {@link #builder()}. */
    public static PinningMonitor start() {
        return builder().start();
    }

    /** The process-wide monitor with the defaults, started on first use (and again if someone closed it). */
    public static PinningMonitor shared() {
        PinningMonitor m = shared;
        if (m != null && !m.closed) {
            return m;
        }
        SHARED_LOCK.lock();
        try {
            m = shared;
            if (m == null || m.closed) {
                m = start();
                shared = m;
            }
            return m;
        } finally {
            SHARED_LOCK.unlock();
        }
    }

    /** Commits a mark event now; cheap (no I/O, no blocking). */
    public Mark mark() {
        long seq = SEQ.incrementAndGet();
        PinningMark e = new PinningMark();
        e.seq = seq;
        e.commit();
        return new Mark(seq);
    }

    /**
     * Blocks until every event committed (anywhere in the process) before this call has been delivered
     * to this monitor, or the timeout passes.
     *
     * @return true if delivered, false on timeout
     * @throws IllegalStateException if the monitor is closed or its stream failed
     * @throws InterruptedException  if interrupted while waiting
     */
    public boolean awaitDelivered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ensureOpen();
        rotate();
        long seq = mark().seq();
        rotate();
        long nudgeNanos = TimeUnit.MILLISECONDS.toNanos(5);
        while (true) {
            lock.lock();
            try {
                long until = Math.min(deadline, System.nanoTime() + nudgeNanos);
                while (!isDelivered(seq)) {
                    ensureOpen();
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    delivered.awaitNanos(left);
                }
                if (isDelivered(seq)) {
                    return true;
                }
            } finally {
                lock.unlock();
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            // A new chunk wakes a stream reader that is napping on the repository directory.
            rotate();
            nudgeNanos = Math.min(nudgeNanos * 2, TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private boolean isDelivered(long seq) {
        return seq < forgottenBelow || markTimes.containsKey(seq);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("pinning monitor is closed");
        }
        Throwable t = streamError;
        if (t != null) {
            throw new IllegalStateException("pinning monitor's JFR stream failed: " + t, t);
        }
    }

    private static void rotate() {
        // takeSnapshot() rotates the disk chunk of every running on-disk recording, which writes out every
        // event committed so far; the snapshot itself is not needed.
        FlightRecorder.getFlightRecorder().takeSnapshot().close();
    }

    /**
     * The events delivered so far whose start lies in {@code [from, to)} on JFR's clock, oldest first.
     * If {@code from} has not been delivered yet the answer is empty; if {@code to} is null or has not
     * been delivered yet the window is open-ended. Call {@link #awaitDelivered} first for a complete answer.
     */
    public List<PinEvent> events(Mark from, Mark to) {
        Objects.requireNonNull(from, "from");
        Instant start = markTimes.get(from.seq());
        if (start == null) {
            return List.of();
        }
        Instant end = to == null ? null : markTimes.get(to.seq());
        List<PinEvent> out = new ArrayList<>();
        for (PinEvent e : history) {
            if (!e.start().isBefore(start) && (end == null || e.start().isBefore(end))) {
                out.add(e);
            }
        }
        return out;
    }

    /** When {@code mark} happened on JFR's clock, once it has been delivered. */
    public java.util.Optional<Instant> timeOf(Mark mark) {
        return java.util.Optional.ofNullable(markTimes.get(mark.seq()));
    }

    /** The number of pinned events seen. */
    public long pinnedCount() {
        return pinned.get();
    }

    /** The number of pinned events seen whose stack has a frame of our code. */
    public long pinnedOursCount() {
        return pinnedOurs.get();
    }

    /** The number of {@code jdk.VirtualThreadSubmitFailed} events seen. */
    public long submitFailedCount() {
        return submitFailed.get();
    }

    /** The last events seen (at most the builder's {@code keepLast}), oldest first. */
    public List<PinEvent> recent() {
        List<PinEvent> out = new ArrayList<>(keepLast);
        Iterator<PinEvent> it = history.descendingIterator();
        while (it.hasNext() && out.size() < keepLast) {
            out.add(it.next());
        }
        Collections.reverse(out);
        return out;
    }

    /** The prefix that makes a frame "ours". */
    public String prefix() {
        return prefix;
    }

    /** Whether the monitor runs (not closed, stream healthy). */
    public boolean isRunning() {
        return !closed && streamError == null;
    }

    private void collect(MetricSink out) {
        out.counter(
                "warren_virtual_thread_pinned_total",
                "Virtual threads that pinned their carrier (JFR jdk.VirtualThreadPinned), by whether a frame"
                        + " of ours (the monitor's class prefix) was on the stack",
                pinnedOursCount(),
                "ours",
                "true");
        out.counter("warren_virtual_thread_pinned_total", "", pinnedCount() - pinnedOursCount(), "ours", "false");
        out.counter(
                "warren_virtual_thread_submit_failed_total",
                "Virtual threads the scheduler could not start or continue (JFR jdk.VirtualThreadSubmitFailed)",
                submitFailedCount());
    }

    /** The report tree: counters, prefix, state and the recent events. */
    public Map<String, Object> toTree() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("running", isRunning());
        m.put("prefix", prefix);
        m.put("pinned", pinnedCount());
        m.put("pinned_ours", pinnedOursCount());
        m.put("submit_failed", submitFailedCount());
        Throwable t = streamError;
        if (t != null) {
            m.put("error", t.toString());
        }
        m.put("recent", recent().stream().map(PinEvent::toTree).toList());
        return m;
    }

    private void onMark(RecordedEvent e) {
        markTimes.put(e.getLong("seq"), e.getStartTime());
        if (markTimes.size() > MAX_MARKS) {
            Long first = markTimes.firstKey();
            markTimes.remove(first);
            forgottenBelow = first + 1;
        }
        lock.lock();
        try {
            delivered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onEvent(RecordedEvent e, String kind) {
        RecordedThread t = e.getThread();
        String threadName = t == null || t.getJavaName() == null ? "" : t.getJavaName();
        long threadId = t == null ? -1 : t.getJavaThreadId();
        List<String> reasons = new ArrayList<>(2);
        for (String field : new String[] {"pinnedReason", "blockingOperation", "exceptionMessage"}) {
            if (e.hasField(field)) {
                Object v = e.getValue(field);
                if (v != null) {
                    reasons.add(v.toString());
                }
            }
        }
        List<String> frames = new ArrayList<>(FRAMES);
        boolean ours = false;
        String ourFrame = null;
        RecordedStackTrace st = e.getStackTrace();
        if (st != null) {
            boolean top = true;
            for (RecordedFrame f : st.getFrames()) {
                String cls = f.getMethod().getType().getName();
                if (top && cls.equals("java.lang.VirtualThread")) {
                    continue;
                }
                top = false;
                String text = cls + "." + f.getMethod().getName() + "("
                        + (f.isJavaFrame() && f.getLineNumber() >= 0 ? "line " + f.getLineNumber() : f.getType()) + ")";
                if (frames.size() < FRAMES) {
                    frames.add(text);
                }
                if (!ours && cls.startsWith(prefix)) {
                    ours = true;
                    ourFrame = text;
                }
            }
        }
        PinEvent pe = new PinEvent(
                kind,
                e.getStartTime(),
                e.getDuration(),
                threadName,
                threadId,
                reasons.isEmpty() ? null : String.join("; ", reasons),
                List.copyOf(frames),
                ours,
                ourFrame);
        if (kind.equals("pinned")) {
            pinned.incrementAndGet();
            if (ours) {
                pinnedOurs.incrementAndGet();
            }
        } else {
            submitFailed.incrementAndGet();
        }
        history.addLast(pe);
        if (historySize.incrementAndGet() > HISTORY) {
            history.pollFirst();
            historySize.decrementAndGet();
        }
    }

    /** Stops the stream and unregisters the report. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (report != null) {
            report.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        stream.close();
        lock.lock();
        try {
            delivered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PinningMonitor[prefix=" + prefix + ", pinned=" + pinnedCount() + ", ours=" + pinnedOursCount()
                + (isRunning() ? "" : ", stopped") + "]";
    }

    /**
     * Options of a {@link PinningMonitor}. Not thread-safe; use from one thread, then {@link #start()}.
     */
    public static final class Builder {
        private String prefix = DEFAULT_PREFIX;
        private int keepLast = 16;
        private String reportName = "pinning";

        private Builder() {}

        /** Classes whose name starts with this are "our code". */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (prefix.isBlank()) {
                throw new IllegalArgumentException("prefix must not be blank, was \"" + prefix + "\"");
            }
            this.prefix = prefix;
            return this;
        }

        /** How many recent events the report shows. */
        public Builder keepLast(int keepLast) {
            if (keepLast <= 0) {
                throw new IllegalArgumentException("keepLast must be > 0, was " + keepLast);
            }
            this.keepLast = keepLast;
            return this;
        }

        /** The name of the report to register while running, or null for none. */
        public Builder reportName(String reportName) {
            this.reportName = reportName;
            return this;
        }

        /** Starts the JFR stream and registers the report. */
        public PinningMonitor start() {
            return new PinningMonitor(this);
        }
    }
}
