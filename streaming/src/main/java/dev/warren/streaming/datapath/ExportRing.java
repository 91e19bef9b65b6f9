package dev.warren.streaming.datapath;

import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.observe.LogLimiter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded ring behind an exported stream: one writer (the exporting stage's tasklet, one at a time),
 * any number of {@link RingReader}s with their own cursors. The writer never waits for a reader.
 *
 * <p><b>Layout.</b> Records of a 4-byte length and the bytes, at monotonic positions (a position's index
 * in the array is {@code position & mask}). A record never wraps: when it does not fit before the end of
 * the array the writer marks the rest as skipped (a length of -1, or nothing when fewer than 4 bytes are
 * left) and starts again at index 0.
 *
 * <p><b>Overwriting, seqlock-style.</b> {@link #tail} is the position of the oldest whole record. Before
 * the writer overwrites bytes it moves {@code tail} past every record it is about to overwrite (a
 * volatile store followed by a store-store fence, so no byte of the new record is written before the
 * new tail is visible), then writes, then publishes {@link #head} (volatile: it is followed by a read
 * of {@link #waiters}, a Dekker pair with the readers). A reader reads a record's bytes, then (after an
 * acquire fence) the tail again: if the tail passed the record, the bytes it read may be torn and it
 * starts over from the tail, counting an overrun.
 */
final class ExportRing {
    private static final Logger LOG = LoggerFactory.getLogger(ExportRing.class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle WRITTEN;
    private static final VarHandle WRITTEN_BYTES;
    private static final VarHandle OVERSIZE;
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** A record's length marking the rest of the array as skipped. */
    static final int WRAP = -1;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(ExportRing.class, "head", long.class);
            TAIL = l.findVarHandle(ExportRing.class, "tail", long.class);
            WRITTEN = l.findVarHandle(ExportRing.class, "written", long.class);
            WRITTEN_BYTES = l.findVarHandle(ExportRing.class, "writtenBytes", long.class);
            OVERSIZE = l.findVarHandle(ExportRing.class, "oversize", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final long datapathId;
    final byte[] buf;
    final int capacity;
    final int mask;
    /** The largest block kept: half the ring, so that a reader's whole record can always be in it. */
    final int maxBlock;

    volatile long head;
    volatile long tail;
    volatile boolean finished;
    volatile int waiters;

    private long written;
    private long writtenBytes;
    private long oversize;
    private final LogLimiter oversizeLog = new LogLimiter(Duration.ofSeconds(10));

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final Set<RingReader> readers = ConcurrentHashMap.newKeySet();

    ExportRing(String name, long datapathId, long bytes) {
        int cap = Integer.highestOneBit((int) Math.min(1 << 30, Math.max(1024, bytes)));
        if (cap < bytes) {
            cap <<= 1;
        }
        this.name = name;
        this.datapathId = datapathId;
        this.capacity = cap;
        this.mask = cap - 1;
        this.buf = new byte[cap];
        this.maxBlock = cap / 2 - 4;
    }

    /** Appends a block; the writer's side, one thread at a time. Never waits. */
    void write(byte[] a, int off, int len) {
        if (len > maxBlock) {
            OVERSIZE.setOpaque(this, oversize + 1);
            long held = oversizeLog.admit();
            if (held >= 0) {
                LOG.warn(
                        "stream '{}': a block of {} bytes does not fit a ring of {} bytes (at most {} per block);"
                                + " not exported (give the stage a larger ring=...){}",
                        name,
                        len,
                        capacity,
                        maxBlock,
                        oversizeLog.suffix(held));
            }
            return;
        }
        long p = head;
        int idx = (int) (p & mask);
        int room = capacity - idx;
        long start = room < 4 + len ? p + room : p;
        long end = start + 4 + len;
        long limit = end - capacity;
        long t = tail;
        if (t < limit) {
            while (t < limit) {
                t = next(t);
            }
            TAIL.setVolatile(this, t);
            VarHandle.storeStoreFence();
        }
        if (start != p && room >= 4) {
            INT.set(buf, idx, WRAP);
        }
        int s = (int) (start & mask);
        INT.set(buf, s, len);
        System.arraycopy(a, off, buf, s + 4, len);
        HEAD.setVolatile(this, end);
        WRITTEN.setOpaque(this, written + 1);
        WRITTEN_BYTES.setOpaque(this, writtenBytes + len);
        if (waiters != 0) {
            signal();
        }
    }

    /** The position of the record after the one at {@code t} (the writer's view: nothing is torn). */
    private long next(long t) {
        int idx = (int) (t & mask);
        int room = capacity - idx;
        if (room < 4) {
            return t + room;
        }
        int len = (int) INT.get(buf, idx);
        return len == WRAP ? t + room : t + 4 + len;
    }

    /** No more blocks: readers get the end once they have read the rest. Idempotent. */
    void finish() {
        finished = true;
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the head moves past {@code pos} or the ring is finished, until {@code deadline}
     * (System.nanoTime; Long.MAX_VALUE: no limit).
     *
     * @return false if the deadline passed first
     */
    // waiters changes only under the lock; it is volatile for the writer's lock-free read (the Dekker pair)
    @SuppressWarnings("NonAtomicVolatileUpdate")
    boolean await(long pos, long deadline) throws InterruptedException {
        Object hint = Tasklets.blockingOn(this);
        lock.lock();
        try {
            waiters++;
            try {
                while (head == pos && !finished) {
                    if (deadline == Long.MAX_VALUE) {
                        changed.await();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return false;
                        }
                        changed.await(left, TimeUnit.NANOSECONDS);
                    }
                }
                return true;
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
            Tasklets.unblocked(hint);
        }
    }

    long written() {
        return (long) WRITTEN.getOpaque(this);
    }

    Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("datapath", datapathId);
        m.put("ring_bytes", capacity);
        m.put("blocks", written());
        m.put("bytes", (long) WRITTEN_BYTES.getOpaque(this));
        m.put("oversize", (long) OVERSIZE.getOpaque(this));
        m.put("readers", readers.size());
        long overruns = 0;
        for (RingReader r : readers) {
            overruns += r.overruns();
        }
        m.put("reader_overruns", overruns);
        m.put("ended", finished);
        return m;
    }

    @Override
    public String toString() {
        return "stream '" + name + "'";
    }
}
