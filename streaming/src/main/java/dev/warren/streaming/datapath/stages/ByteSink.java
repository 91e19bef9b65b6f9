package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.tasklets.Tasklet;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sink writing raw blocks to a stream (a file, standard output), buffered, flushed at most 200 ms
 * after a write by a small tasklet of its own, at the end of the input and at close; each block is
 * passed on (1). The lock only orders the writes and the flusher (uncontended when nothing is to flush).
 */
abstract class ByteSink implements Stage {
    private static final long FLUSH_MILLIS = 200;
    private final boolean newline;
    private final ReentrantLock lock = new ReentrantLock();
    private OutputStream out;
    private boolean dirty;
    private volatile long blocks;
    private volatile long bytes;
    private Tasklet<Void> flusher;

    ByteSink(boolean newline) {
        this.newline = newline;
    }

    /** Opens the underlying stream. */
    abstract OutputStream openStream() throws IOException;

    /** Whether close() closes the underlying stream (not for standard output). */
    abstract boolean closeStream();

    @Override
    public void open(StageContext ctx) throws IOException {
        out = new BufferedOutputStream(openStream(), 1 << 16);
        flusher = ctx.fork("flusher", this::flushLoop);
    }

    private void flushLoop() throws IOException {
        try {
            for (; ; ) {
                Thread.sleep(FLUSH_MILLIS);
                flush();
            }
        } catch (InterruptedException closing) {
            // close() stops the flusher and flushes itself
        }
    }

    private void flush() throws IOException {
        lock.lock();
        try {
            if (dirty) {
                out.flush();
                dirty = false;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    @SuppressWarnings("NonAtomicVolatileUpdate") // one tasklet at a time; volatile for state()
    public int process(Block b) throws IOException {
        lock.lock();
        try {
            out.write(b.array(), b.offset(), b.length());
            if (newline) {
                out.write('\n');
            }
            dirty = true;
        } finally {
            lock.unlock();
        }
        blocks++;
        bytes += b.length();
        return 1;
    }

    @Override
    public void endOfInput() throws IOException {
        flush();
    }

    @Override
    public void close() throws Exception {
        if (flusher != null) {
            flusher.cancel();
            try {
                flusher.join();
            } catch (RuntimeException cancelled) {
                // it was cancelled, as asked
            }
        }
        if (out != null) {
            lock.lock();
            try {
                out.flush();
                if (closeStream()) {
                    out.close();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public Map<String, Object> state() {
        return Map.of("blocks", blocks, "bytes", bytes);
    }
}
