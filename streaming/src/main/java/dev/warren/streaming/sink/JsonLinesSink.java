package dev.warren.streaming.sink;

import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.tasklets.observe.Json;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One JSON object per result. Shards format into their own builder outside the lock; the lock (a
 * ReentrantLock, as the write may block) covers only the append to the shared writer.
 *
 * <p>Lines reach the writer's destination when a shard has emitted a batch and is about to wait
 * ({@link #flush()}), when 64 KiB are pending, and at least once a second while shards stay busy, so
 * {@code tail -f} follows the windows as they close.
 */
final class JsonLinesSink<K, R, S> implements WindowSink<K, R, S> {
    private static final int FLUSH_EVERY = 64 * 1024;
    private static final long FLUSH_NANOS = 1_000_000_000L;

    private final Writer out;
    private final boolean closeAtEnd;
    private final ReentrantLock lock = new ReentrantLock();
    private long unflushed;
    private long lastFlush = System.nanoTime();

    JsonLinesSink(Writer out, boolean closeAtEnd) {
        this.out = out;
        this.closeAtEnd = closeAtEnd;
    }

    @Override
    public void emit(WindowResult<K, R> r, S state) throws IOException {
        String line = format(r);
        lock.lock();
        try {
            out.write(line);
            unflushed += line.length();
            if (unflushed >= FLUSH_EVERY || System.nanoTime() - lastFlush >= FLUSH_NANOS) {
                flushLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            if (unflushed > 0) {
                flushLocked();
            }
        } finally {
            lock.unlock();
        }
    }

    private void flushLocked() throws IOException {
        out.flush();
        unflushed = 0;
        lastFlush = System.nanoTime();
    }

    static String format(WindowResult<?, ?> r) {
        StringBuilder b = new StringBuilder(96);
        b.append("{\"key\":");
        Json.quote(String.valueOf(r.key()), b);
        b.append(",\"start\":").append(r.start()).append(",\"end\":").append(r.end());
        Object v = r.value();
        if (v instanceof Stats s) {
            b.append(",\"count\":").append(s.count()).append(",\"sum\":");
            Json.write(s.sum(), b);
            b.append(",\"min\":");
            Json.write(s.min(), b);
            b.append(",\"max\":");
            Json.write(s.max(), b);
        } else {
            b.append(",\"value\":");
            Json.write(v, b);
        }
        return b.append("}\n").toString();
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closeAtEnd) {
                out.close();
            } else {
                out.flush();
            }
        } finally {
            lock.unlock();
        }
    }
}
