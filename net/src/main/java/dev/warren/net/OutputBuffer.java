package dev.warren.net;

import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The output side of a {@link ConnectionImpl}: a plain array the typed writes fill and {@link #flush()}
 * hands to the {@link Transport} in one write. The model is Helidon's {@code DataWriter}.
 *
 * <p><b>Threading.</b> Only the connection's writer tasklet calls it; the fields are plain. {@link
 * #bytesWritten()} may be called from any thread.
 *
 * <p><b>Memory.</b> A connection starts with a {@link ConnectionImpl#SMALL_BUFFER small} buffer and gets
 * the full one ({@code size} bytes) when a response outgrows it; {@link #shrink()} goes back to the small
 * one while the connection is idle. Writes at least as large as the buffer skip the copy. The fast paths
 * (a write that fits) allocate nothing and make no call to the transport.
 */
final class OutputBuffer {
    private static final VarHandle BYTES_WRITTEN;

    static {
        try {
            BYTES_WRITTEN = MethodHandles.lookup().findVarHandle(OutputBuffer.class, "bytesWritten", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionImpl owner;
    private final Transport transport;
    private final int size;
    private final LongAdder total;

    private byte[] ob;
    private int opos;
    private byte[] obSmall;
    /** Written by the writer only, published with opaque stores. */
    private long bytesWritten;

    /**
     * @param owner the connection: what a blocked writer waits on (in the registry) and whose activity a
     *     write marks
     * @param total the server's count of bytes out, added to once per transport write
     */
    OutputBuffer(ConnectionImpl owner, Transport transport, int size, LongAdder total) {
        this.owner = owner;
        this.transport = transport;
        this.size = size;
        this.total = total;
    }

    private byte[] buffer() {
        byte[] b = ob;
        if (b == null) {
            b = ob = size <= ConnectionImpl.SMALL_BUFFER ? new byte[size] : small();
        }
        return b;
    }

    private byte[] small() {
        if (obSmall == null) {
            obSmall = new byte[ConnectionImpl.SMALL_BUFFER];
        }
        return obSmall;
    }

    /** Replaces the small buffer by a full one, keeping what it holds. */
    private byte[] grow() {
        byte[] big = new byte[size];
        System.arraycopy(ob, 0, big, 0, opos);
        ob = big;
        return big;
    }

    /** Drops both buffers if they hold nothing: the next write takes a small one again. */
    void release() {
        if (opos == 0) {
            ob = null;
            obSmall = null;
        }
    }

    /** Drops the full buffer if it holds nothing: the next write starts in the small one again. */
    void shrink() {
        if (opos == 0 && ob != null && ob.length > ConnectionImpl.SMALL_BUFFER) {
            ob = null;
        }
    }

    private void writeTransport(byte[] b, int off, int len) throws IOException {
        Object previous = Tasklets.blockingOn(owner);
        long start = System.nanoTime();
        try {
            transport.write(b, off, len);
        } finally {
            Tasklets.unblocked(previous);
        }
        long end = System.nanoTime();
        owner.lastActivity = end;
        total.add(len);
        BYTES_WRITTEN.setOpaque(this, bytesWritten + len);
        // A peer that reads everything at once never makes this tasklet wait: it must take turns with the others.
        Fairness.afterBlockingCall(end - start);
    }

    /** Bytes written to the transport so far (any thread; a recent value). */
    long bytesWritten() {
        return (long) BYTES_WRITTEN.getOpaque(this);
    }

    /** See {@link Connection#write(byte[], int, int)}. */
    void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        byte[] buf = buffer();
        if (len > buf.length - opos && buf.length < size) {
            buf = grow();
        }
        if (len <= buf.length - opos) {
            System.arraycopy(b, off, buf, opos, len);
            opos += len;
            return;
        }
        flush();
        if (len >= buf.length) {
            writeTransport(b, off, len);
        } else {
            System.arraycopy(b, off, buf, 0, len);
            opos = len;
        }
    }

    /** Makes room for {@code n <= size} bytes, flushing if needed, and returns the buffer. */
    private byte[] room(int n) throws IOException {
        byte[] buf = buffer();
        if (buf.length - opos < n && buf.length < size) {
            buf = grow();
        }
        if (buf.length - opos < n) {
            flush();
        }
        return buf;
    }

    void writeByte(int v) throws IOException {
        byte[] buf = room(1);
        buf[opos++] = (byte) v;
    }

    void writeInt(int v) throws IOException {
        byte[] buf = room(4);
        int p = opos;
        buf[p] = (byte) (v >>> 24);
        buf[p + 1] = (byte) (v >>> 16);
        buf[p + 2] = (byte) (v >>> 8);
        buf[p + 3] = (byte) v;
        opos = p + 4;
    }

    void writeShort(int v) throws IOException {
        byte[] buf = room(2);
        buf[opos] = (byte) (v >>> 8);
        buf[opos + 1] = (byte) v;
        opos += 2;
    }

    void writeLong(long v) throws IOException {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    /** Hands what is buffered to the transport in one write; nothing if empty. */
    void flush() throws IOException {
        if (opos > 0) {
            int n = opos;
            opos = 0; // on failure the bytes are lost either way: the transport is broken
            writeTransport(ob, 0, n);
        }
    }
}
