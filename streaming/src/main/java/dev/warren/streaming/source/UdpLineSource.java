package dev.warren.streaming.source;

import dev.warren.net.ListenerOptions;
import dev.warren.net.UdpReceiver;
import dev.warren.net.UdpStats;
import dev.warren.streaming.Emitter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A source of text lines received over UDP, built on {@link UdpReceiver}: each datagram carries one line
 * or several separated by {@code \n} (a trailing newline does not make an empty line; a preceding
 * {@code \r} is removed). Made by {@link Sources#udpLines}.
 *
 * <p>The socket is bound when the job starts the source; {@link #awaitPort} waits for that and returns
 * the real port (useful with port 0). A line longer than the maximum is not parsed but
 * {@linkplain Emitter#reject rejected} (a counted parse error); so is an empty datagram. Datagrams the
 * kernel dropped because the socket's receive buffer was full, and datagrams larger than 65507 bytes, are
 * reported by {@link #upstreamDrops()} and appear in the job's statistics
 * ({@link dev.warren.streaming.SourceStats#upstreamDrops()}).
 *
 * <p><b>Threading.</b> Lines are split on the receiver's tasklet, one datagram at a time, and handed to
 * the job in batches of up to 128 lines (parsed and routed with one inbox message per shard), at the
 * latest 1 ms after they arrived; under {@link dev.warren.streaming.Backpressure#BLOCK} a full shard
 * makes the receiver wait, datagrams queue in the socket's buffer and beyond it the kernel drops them
 * (counted). Every public method may be called from any thread.
 */
public final class UdpLineSource extends BoundSource {
    private final int receiveBufferSize;
    private final int maxLine;
    private volatile UdpReceiver receiver;
    private volatile UdpStats lastStats;

    UdpLineSource(ListenerOptions listener, int receiveBufferSize, int maxLine) {
        super("UDP source", listener);
        this.receiveBufferSize = receiveBufferSize;
        this.maxLine = maxLine;
    }

    @Override
    int boundPort() {
        return receiver.port();
    }

    /** 10 s for the lines already received to be handed to the job. */
    @Override
    Duration closeWait() {
        return Duration.ofSeconds(10);
    }

    @Override
    public void run(Emitter<String> out) throws Exception {
        Splitter splitter = new Splitter(out, maxLine);
        UdpReceiver.Builder b =
                UdpReceiver.builder().listener(listener).handler((data, from) -> splitter.datagram(data));
        if (receiveBufferSize > 0) {
            b.receiveBufferSize(receiveBufferSize);
        }
        UdpReceiver rx;
        try {
            rx = b.start();
        } catch (RuntimeException e) {
            bindFailed(e);
            throw e;
        }
        receiver = rx;
        bound();
        try {
            try {
                // This tasklet flushes the lines the receiver batched, at least once a millisecond.
                while (!awaitCloseRequest(1)) {
                    splitter.flush();
                }
            } finally {
                // Read the kernel's counters before the socket goes (an interrupt would fail the read).
                boolean interrupted = Thread.interrupted();
                try {
                    lastStats = rx.stats();
                    rx.close();
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            splitter.flush(); // what the receiver batched before it stopped
        } finally {
            finished();
        }
    }

    /** The receiver's counters now (the last ones once closed), or null before the socket is bound. */
    public UdpStats receiverStats() {
        UdpStats last = lastStats;
        if (last != null) {
            return last;
        }
        UdpReceiver rx = receiver;
        return rx == null ? null : rx.stats();
    }

    /**
     * Datagrams lost before they were read: dropped by the kernel (receive buffer full) plus oversize
     * ones; {@code -1} if the kernel does not report its drops (not Linux) and none were oversize.
     */
    @Override
    public long upstreamDrops() {
        UdpStats s = receiverStats();
        if (s == null) {
            return 0;
        }
        if (s.kernelDrops() < 0 && s.oversize() == 0) {
            return -1;
        }
        return s.drops();
    }

    @Override
    public String toString() {
        return "UdpLineSource[" + name + "]";
    }

    /**
     * Splits datagrams into lines and hands them to the job in batches ({@link Emitter#emitAll}: one inbox
     * message per shard instead of one per line), flushed when {@value #BATCH} lines are pending and at
     * least once a millisecond by the source's tasklet. The lock keeps batches in arrival order; it may be
     * held while a full shard makes {@code emitAll} wait (a ReentrantLock: no carrier is pinned).
     */
    static final class Splitter {
        static final int BATCH = Batcher.BATCH;
        private final Emitter<String> out;
        private final ReentrantLock lock = new ReentrantLock();
        private final Batcher batcher;
        private byte[] bytes = new byte[2048];

        Splitter(Emitter<String> out, int maxLine) {
            this.out = out;
            this.batcher = new Batcher(out, maxLine);
        }

        void datagram(ByteBuffer data) throws InterruptedException {
            int n = data.remaining();
            if (n > bytes.length) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            data.get(bytes, 0, n);
            if (n == 0) {
                out.reject("", "empty datagram");
                return;
            }
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    line(start, i);
                    start = i + 1;
                }
            }
            if (start < n) {
                line(start, n);
            }
        }

        private void line(int from, int to) throws InterruptedException {
            if (to > from && bytes[to - 1] == '\r') {
                to--;
            }
            String s = new String(bytes, from, to - from, StandardCharsets.UTF_8);
            lock.lock();
            try {
                batcher.add(s);
            } finally {
                lock.unlock();
            }
        }

        /** Emits the pending lines, if any. */
        void flush() throws InterruptedException {
            lock.lock();
            try {
                batcher.flush();
            } finally {
                lock.unlock();
            }
        }
    }
}
