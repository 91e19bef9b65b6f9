package dev.warren.net;

import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The input side of a {@link ConnectionImpl}: a plain array refilled by one {@link Transport} read at a
 * time, and the typed reads (bytes, lines, big-endian numbers) over it. The model is Helidon's {@code
 * DataReader}: the buffer knows nothing of how bytes arrive, the transport nothing of what they mean.
 *
 * <p><b>Threading.</b> Only the connection's reader tasklet calls it; the fields are plain. {@link
 * #bytesRead()} may be called from any thread (an opaque read of a counter the reader publishes).
 *
 * <p><b>Memory.</b> The full buffer ({@code size} bytes) is allocated on first use; while the connection
 * waits in {@link #readByteUnbuffered()} it drops the full buffer and keeps only a small one, and a
 * message that outgrows the small one gets a full one again. The fast paths ({@link #readByte()}, the
 * fixed-size reads from a buffer that holds them) allocate nothing and make no call to the transport.
 */
final class InputBuffer {
    private static final VarHandle BYTES_READ;

    static {
        try {
            BYTES_READ = MethodHandles.lookup().findVarHandle(InputBuffer.class, "bytesRead", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionImpl owner;
    private final Transport transport;
    private final int size;
    private final LongAdder total;

    private byte[] ib;
    private int ipos;
    private int ilim;
    private boolean eof;
    private byte[] ibSmall;
    /** Written by the reader only, published with opaque stores: a report reads a whole, recent value. */
    private long bytesRead;

    /**
     * @param owner the connection: what a blocked reader waits on (in the registry) and whose activity a
     *     read marks
     * @param total the server's count of bytes in, added to once per transport read
     */
    InputBuffer(ConnectionImpl owner, Transport transport, int size, LongAdder total) {
        this.owner = owner;
        this.transport = transport;
        this.size = size;
        this.total = total;
    }

    /** Refills an empty buffer with one transport read. Returns the bytes read, or -1 at end of stream. */
    private int fill() throws IOException {
        if (eof) {
            return -1;
        }
        if (ib == null || ib.length < size) {
            ib = new byte[size]; // also replaces the small buffer once a message outgrows it
        }
        ipos = 0;
        ilim = 0;
        int n = readTransport(ib, 0, ib.length);
        if (n > 0) {
            ilim = n;
        }
        return n;
    }

    private int readTransport(byte[] b, int off, int len) throws IOException {
        Object previous = Tasklets.blockingOn(owner);
        long start = System.nanoTime();
        int n;
        try {
            n = transport.read(b, off, len);
        } finally {
            Tasklets.unblocked(previous);
        }
        long end = System.nanoTime();
        // A peer that always has bytes ready never makes this tasklet wait: it must take turns with the others.
        Fairness.afterBlockingCall(end - start);
        if (n < 0) {
            eof = true;
            return -1;
        }
        owner.lastActivity = end;
        total.add(n);
        BYTES_READ.setOpaque(this, bytesRead + n);
        return n;
    }

    /** Bytes read from the transport so far (any thread; a recent value). */
    long bytesRead() {
        return (long) BYTES_READ.getOpaque(this);
    }

    /** See {@link Connection#readFully}. */
    int readFully(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int done = 0;
        while (done < len) {
            int n = readUpTo(b, off + done, len - done);
            if (n < 0) {
                if (done == 0) {
                    return -1;
                }
                throw new ConnectionClosedException(
                        "connection closed by the peer after " + done + " of " + len + " bytes", done, len);
            }
            done += n;
        }
        return len;
    }

    /** See {@link Connection#readUpTo}. */
    int readUpTo(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int buffered = ilim - ipos;
        if (buffered == 0) {
            if (len >= size) {
                return eof ? -1 : readTransport(b, off, len); // large reads skip the copy
            }
            if (fill() < 0) {
                return -1;
            }
            buffered = ilim - ipos;
        }
        int n = Math.min(buffered, len);
        System.arraycopy(ib, ipos, b, off, n);
        ipos += n;
        return n;
    }

    /** See {@link Connection#readByte}. */
    int readByte() throws IOException {
        if (ipos == ilim && fill() < 0) {
            return -1;
        }
        return ib[ipos++] & 0xFF;
    }

    /** See {@link Connection#readLine(int, Charset)}. */
    String readLine(int maxLength, Charset charset) throws IOException {
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0, was " + maxLength);
        }
        Objects.requireNonNull(charset, "charset");
        byte[] acc = null; // the line so far, when it spans buffer refills
        int accLen = 0;
        for (; ; ) {
            if (ipos == ilim && fill() < 0) {
                if (accLen == 0) {
                    return null;
                }
                throw new ConnectionClosedException(
                        "connection closed by the peer inside a line, after " + accLen + " bytes without a line end",
                        accLen,
                        -1);
            }
            int nl = -1;
            for (int i = ipos; i < ilim; i++) {
                if (ib[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl >= 0) {
                int segLen = nl - ipos;
                int lineLen = accLen + segLen;
                boolean cr = lineLen > 0 && (segLen > 0 ? ib[nl - 1] == '\r' : acc[accLen - 1] == '\r');
                int content = cr ? lineLen - 1 : lineLen;
                if (content > maxLength) {
                    throw new LineTooLongException(maxLength);
                }
                String line;
                if (acc == null) {
                    line = new String(ib, ipos, content, charset);
                } else {
                    acc = ensure(acc, lineLen);
                    System.arraycopy(ib, ipos, acc, accLen, segLen);
                    line = new String(acc, 0, content, charset);
                }
                ipos = nl + 1;
                return line;
            }
            int segLen = ilim - ipos;
            // Even if the next byte ends the line and the last one is '\r', the content would be too long.
            if ((long) accLen + segLen > (long) maxLength + 1) {
                throw new LineTooLongException(maxLength);
            }
            acc = ensure(acc, accLen + segLen);
            System.arraycopy(ib, ipos, acc, accLen, segLen);
            accLen += segLen;
            ipos = ilim;
        }
    }

    private static byte[] ensure(byte[] a, int n) {
        if (a == null) {
            return new byte[Math.max(n, 128)];
        }
        return n <= a.length ? a : Arrays.copyOf(a, Math.max(n, a.length * 2));
    }

    /** Makes {@code n <= size} bytes contiguous in the buffer at {@code ipos}, or throws at end of stream. */
    private void require(int n, String what) throws IOException {
        int have = ilim - ipos;
        if (have >= n) {
            return;
        }
        if (ib == null || ib.length < n) {
            byte[] big = new byte[size];
            if (have > 0) {
                System.arraycopy(ib, ipos, big, 0, have);
            }
            ib = big;
            ipos = 0;
            ilim = have;
        }
        if (ipos > 0) {
            System.arraycopy(ib, ipos, ib, 0, have);
            ipos = 0;
            ilim = have;
        }
        while (ilim < n) {
            int r = eof ? -1 : readTransport(ib, ilim, ib.length - ilim);
            if (r < 0) {
                throw new ConnectionClosedException(
                        "connection closed by the peer after " + (ilim - ipos) + " of the " + n + " bytes of " + what,
                        ilim - ipos,
                        n);
            }
            ilim += r;
        }
    }

    /** See {@link Connection#readInt}. */
    int readInt() throws IOException {
        require(4, "an int");
        return intAt();
    }

    /** See {@link Connection#readShort}. */
    short readShort() throws IOException {
        require(2, "a short");
        int p = ipos;
        ipos = p + 2;
        return (short) ((ib[p] & 0xFF) << 8 | (ib[p + 1] & 0xFF));
    }

    /** See {@link Connection#readLong}. */
    long readLong() throws IOException {
        require(8, "a long");
        long hi = intAt();
        long lo = intAt();
        return hi << 32 | (lo & 0xFFFF_FFFFL);
    }

    private int intAt() {
        byte[] b = ib;
        int p = ipos;
        ipos = p + 4;
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    /** Bytes buffered, readable without a transport read. */
    int available() {
        return ilim - ipos;
    }

    /**
     * See {@link Connection#readByteUnbuffered}: a buffered byte if there is one, else one transport read
     * into the small buffer, the full one being dropped first.
     */
    int readByteUnbuffered() throws IOException {
        if (ipos < ilim) {
            return ib[ipos++] & 0xFF;
        }
        ipos = 0;
        ilim = 0;
        if (eof) {
            ib = null;
            return -1;
        }
        if (ibSmall == null) {
            ibSmall = new byte[Math.min(ConnectionImpl.SMALL_BUFFER, size)];
        }
        ib = ibSmall;
        int n = readTransport(ib, 0, ib.length);
        if (n < 0) {
            return -1;
        }
        ilim = n;
        return ib[ipos++] & 0xFF;
    }
}
