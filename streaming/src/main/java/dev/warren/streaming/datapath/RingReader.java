package dev.warren.streaming.datapath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/** A cursor into an {@link ExportRing}; see {@link StreamReader} and the ring's comment for the protocol. */
final class RingReader implements StreamReader {
    private static final VarHandle OVERRUNS;
    private static final VarHandle SKIPPED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            OVERRUNS = l.findVarHandle(RingReader.class, "overruns", long.class);
            SKIPPED = l.findVarHandle(RingReader.class, "skipped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ExportRing ring;
    private final ByteBuffer view;
    /** The position of the next record to read. */
    private long pos;
    /** Bytes of the record at {@code pos} already returned by read. */
    private int partial;

    private long overruns;
    private long skipped;
    private boolean closed;

    RingReader(ExportRing ring, boolean fromOldest) {
        this.ring = ring;
        this.view = ByteBuffer.wrap(ring.buf).asReadOnlyBuffer();
        this.pos = fromOldest ? ring.tail : ring.head;
        ring.readers.add(this);
    }

    @Override
    public String name() {
        return ring.name;
    }

    @Override
    public int read(byte[] dst, int offset, int length) throws InterruptedException {
        return read(dst, offset, length, Long.MAX_VALUE);
    }

    @Override
    public int read(byte[] dst, int offset, int length, Duration timeout) throws InterruptedException {
        return read(dst, offset, length, deadline(timeout));
    }

    private int read(byte[] dst, int offset, int length, long deadline) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, dst.length);
        open();
        if (length == 0) {
            return 0;
        }
        for (; ; ) {
            int len = next(deadline);
            if (len == -1) {
                return -1;
            }
            if (len == -2) {
                return 0;
            }
            if (len == 0) {
                pos += 4;
                continue;
            }
            int idx = (int) (pos & ring.mask);
            int n = Math.min(length, len - partial);
            System.arraycopy(ring.buf, idx + 4 + partial, dst, offset, n);
            VarHandle.acquireFence();
            if (ring.tail > pos) {
                overrun(ring.tail);
                continue;
            }
            partial += n;
            if (partial == len) {
                pos += 4 + len;
                partial = 0;
            }
            return n;
        }
    }

    @Override
    public ByteBuffer peek() throws InterruptedException {
        return peek(Long.MAX_VALUE);
    }

    @Override
    public ByteBuffer peek(Duration timeout) throws InterruptedException {
        return peek(deadline(timeout));
    }

    private ByteBuffer peek(long deadline) throws InterruptedException {
        open();
        int len = next(deadline);
        if (len < 0) {
            return null;
        }
        int idx = (int) (pos & ring.mask);
        view.clear();
        view.limit(idx + 4 + len).position(idx + 4 + partial);
        pos += 4 + len;
        partial = 0;
        return view;
    }

    /**
     * Moves to the next whole record, waiting for one: its length (the header was read and checked against
     * the tail), -1 at the end, -2 when the deadline passed.
     */
    private int next(long deadline) throws InterruptedException {
        for (; ; ) {
            long t = ring.tail;
            if (pos < t) {
                overrun(t);
            }
            if (pos == ring.head) {
                if (ring.finished && pos == ring.head) {
                    return -1;
                }
                if (!ring.await(pos, deadline)) {
                    return -2;
                }
                continue;
            }
            int idx = (int) (pos & ring.mask);
            int room = ring.capacity - idx;
            if (room < 4) {
                pos += room;
                continue;
            }
            int len = (int) ExportRing.INT.get(ring.buf, idx);
            VarHandle.acquireFence();
            if (ring.tail > pos) {
                continue; // torn header: overrun() on the next turn
            }
            if (len == ExportRing.WRAP) {
                pos += room;
                continue;
            }
            return len;
        }
    }

    private void overrun(long tail) {
        OVERRUNS.setOpaque(this, overruns + 1);
        SKIPPED.setOpaque(this, skipped + (tail - pos));
        pos = tail;
        partial = 0;
    }

    @Override
    public long check(long stamp) {
        open();
        if (stamp != -1) {
            if (stamp < 1) {
                throw new IllegalArgumentException("stamp must be -1 or one returned by check, was " + stamp);
            }
            VarHandle.acquireFence();
            if (ring.tail > stamp - 1) {
                return -1;
            }
        }
        return 1 + Math.max(pos, ring.tail);
    }

    @Override
    public boolean isEnded() {
        return ring.finished && pos == ring.head;
    }

    @Override
    public long overruns() {
        return (long) OVERRUNS.getOpaque(this);
    }

    @Override
    public long skippedBytes() {
        return (long) SKIPPED.getOpaque(this);
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("reader of stream '" + ring.name + "' is closed");
        }
    }

    private static long deadline(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, was " + timeout);
        }
        long nanos;
        try {
            nanos = Math.min(timeout.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 4;
        }
        long d = System.nanoTime() + nanos;
        return d == Long.MAX_VALUE ? d - 1 : d;
    }

    @Override
    public void close() {
        closed = true;
        ring.readers.remove(this);
    }

    @Override
    public String toString() {
        return "StreamReader[" + ring.name + " at " + pos + "]";
    }
}
