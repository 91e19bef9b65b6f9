package dev.warren.tasklets.testing;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Captures what the tests' logging backend (slf4j-simple, which writes to {@code System.err} as it is at
 * the time of each call) prints while the capture is open, and still passes it through. The library
 * logs through the slf4j API only; this is how tests read what it said without adding a backend of our
 * own.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.start()) {
 *     ...
 *     assertTrue(log.lines().stream().anyMatch(l -> l.contains("WARN") && l.contains("still running")));
 * }
 * }</pre>
 *
 * <p><b>Nesting.</b> A capture passes everything on to the {@code System.err} it replaced, so captures
 * nest: an inner one (a test's own) sees what is printed while it is open, and the outer one (the
 * messaging tests' {@code MessageAccounting}, around each test) sees that too. They must close in the
 * reverse order of their starts, as try-with-resources and JUnit's before/after callbacks do; a capture
 * closed out of order would put back a stream that another capture still replaces.
 *
 * <p><b>Threading.</b> Any thread may log while the capture is open; {@link #text()} and {@link #lines()}
 * may be called at any time. There is one {@code System.err}: captures in tests that run at the same
 * time would see each other's lines, so tests that use it run sequentially, as every suite here does.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original;
    private final ReentrantLock lock = new ReentrantLock();
    private byte[] buf = new byte[8192];
    private int size;

    private LogCapture() {
        this.original = System.err;
    }

    /** Starts capturing {@code System.err}. */
    public static LogCapture start() {
        LogCapture c = new LogCapture();
        // a plain PrintStream guards itself with a ReentrantLock (a subclass would use its monitor)
        System.setErr(new PrintStream(c.new Tee(), true, StandardCharsets.UTF_8));
        return c;
    }

    /** Everything printed since {@link #start()}. */
    public String text() {
        lock.lock();
        try {
            return new String(buf, 0, size, StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** The complete lines printed since {@link #start()}. */
    public List<String> lines() {
        String t = text();
        int end = t.lastIndexOf('\n');
        return end < 0
                ? List.of()
                : new ArrayList<>(Arrays.asList(t.substring(0, end).split("\n", -1)));
    }

    /** The complete lines that contain every one of {@code parts}. */
    public List<String> lines(String... parts) {
        List<String> out = new ArrayList<>();
        for (String l : lines()) {
            boolean all = true;
            for (String p : parts) {
                all &= l.contains(p);
            }
            if (all) {
                out.add(l);
            }
        }
        return out;
    }

    /** Puts back the {@code System.err} this capture replaced. */
    @Override
    public void close() {
        System.setErr(original);
    }

    private final class Tee extends OutputStream {
        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            lock.lock();
            try {
                if (size + len > buf.length) {
                    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + len));
                }
                System.arraycopy(b, off, buf, size, len);
                size += len;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
