package dev.warren.net;

import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link Connection}: a blocking {@link Socket} with a hand-rolled input and output buffer.
 *
 * <p>The socket's own streams are used unbuffered; the JDK parks a virtual thread that reads or writes
 * them on its I/O poller. On a server with a {@link Reactor}, a {@link ReactorIo} reads and writes the
 * socket's channel instead; the buffers and everything above them are the same. Buffers are plain arrays owned by this connection, allocated on first use.
 * The byte counters of a server are shared {@link LongAdder}s, added to once per system call.
 */
final class ConnectionImpl implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionImpl.class);

    private final Socket socket;
    /** Non-null when a {@link Reactor} reads this connection's socket; then {@link #in} and {@link #out} are unused. */
    private final ReactorIo io;

    private final InputStream in;
    private final OutputStream out;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final boolean serverSide;
    private final int inSize;
    private final int outSize;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;

    // input side: reader tasklet only
    private byte[] ib;
    private int ipos;
    private int ilim;
    private boolean eof;
    // output side: writer tasklet only
    private byte[] ob;
    private int opos;
    // the small buffers a connection keeps while it waits in readByteUnbuffered (allocated once)
    private byte[] ibSmall;
    private byte[] obSmall;

    /** System.nanoTime() of the last socket read or write; read by a server's idle reaper. */
    volatile long lastActivity;

    /** When the connection was set up: System.nanoTime() (ages, newest-first order) and wall-clock millis. */
    final long createdNanos = System.nanoTime();

    final long createdMillis = System.currentTimeMillis();
    /**
     * This connection's own byte counts, for the sockets report: plain fields written only by the tasklet
     * that reads (or writes), published with opaque stores so that a report reads a whole, recent value
     * without putting a fence on the I/O path. The server's totals are its LongAdders.
     */
    private long bytesRead;

    private long bytesWritten;
    /** The id of the tasklet serving the connection (0 until it runs); for the sockets report. */
    volatile long taskletId;

    private static final VarHandle BYTES_READ;
    private static final VarHandle BYTES_WRITTEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            BYTES_READ = l.findVarHandle(ConnectionImpl.class, "bytesRead", long.class);
            BYTES_WRITTEN = l.findVarHandle(ConnectionImpl.class, "bytesWritten", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The size of the input and output buffers a connection keeps while it waits in {@link
     * #readByteUnbuffered()}: the full ones are dropped then, and a message that does not fit the small
     * one gets a full one again.
     */
    static final int SMALL_BUFFER = 512;

    private final AtomicReference<CloseReason> reason = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private String label;
    private InputStream inView;
    private OutputStream outView;

    ConnectionImpl(Socket socket, boolean serverSide, int inSize, int outSize, LongAdder bytesIn, LongAdder bytesOut)
            throws IOException {
        this(socket, null, serverSide, inSize, outSize, bytesIn, bytesOut);
    }

    /** A connection whose socket {@code io} reads and writes ({@code socket} is its channel's adaptor). */
    ConnectionImpl(
            Socket socket,
            ReactorIo io,
            boolean serverSide,
            int inSize,
            int outSize,
            LongAdder bytesIn,
            LongAdder bytesOut)
            throws IOException {
        this.socket = socket;
        this.io = io;
        this.in = io == null ? socket.getInputStream() : null;
        this.out = io == null ? socket.getOutputStream() : null;
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.local = (InetSocketAddress) socket.getLocalSocketAddress();
        this.serverSide = serverSide;
        this.inSize = inSize;
        this.outSize = outSize;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.lastActivity = System.nanoTime();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    // ------------------------------------------------------------------ input

    /** Refills an empty input buffer with one socket read. Returns the bytes read, or -1 at end of stream. */
    private int fill() throws IOException {
        if (eof) {
            return -1;
        }
        if (ib == null || ib.length < inSize) {
            ib = new byte[inSize]; // also replaces the small buffer once a message outgrows it
        }
        ipos = 0;
        ilim = 0;
        int n = readSocket(ib, 0, ib.length);
        if (n > 0) {
            ilim = n;
        }
        return n;
    }

    private int readSocket(byte[] b, int off, int len) throws IOException {
        Object previous = Tasklets.blockingOn(this);
        long start = System.nanoTime();
        int n;
        try {
            n = io != null ? io.read(b, off, len) : in.read(b, off, len);
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
        lastActivity = end;
        bytesIn.add(n);
        BYTES_READ.setOpaque(this, bytesRead + n);
        return n;
    }

    @Override
    public int readFully(byte[] b, int off, int len) throws IOException {
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

    @Override
    public int readUpTo(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int buffered = ilim - ipos;
        if (buffered == 0) {
            if (len >= inSize) {
                return eof ? -1 : readSocket(b, off, len); // large reads skip the copy
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

    @Override
    public int readByte() throws IOException {
        if (ipos == ilim && fill() < 0) {
            return -1;
        }
        return ib[ipos++] & 0xFF;
    }

    @Override
    public String readLine(int maxLength, Charset charset) throws IOException {
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
                int total = accLen + segLen;
                boolean cr = total > 0 && (segLen > 0 ? ib[nl - 1] == '\r' : acc[accLen - 1] == '\r');
                int content = cr ? total - 1 : total;
                if (content > maxLength) {
                    throw new LineTooLongException(maxLength);
                }
                String line;
                if (acc == null) {
                    line = new String(ib, ipos, content, charset);
                } else {
                    acc = ensure(acc, total);
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

    private static byte[] ensure(byte[] a, int size) {
        if (a == null) {
            return new byte[Math.max(size, 128)];
        }
        return size <= a.length ? a : Arrays.copyOf(a, Math.max(size, a.length * 2));
    }

    /** Makes {@code n <= inSize} bytes contiguous in the buffer at {@code ipos}, or throws at end of stream. */
    private void require(int n, String what) throws IOException {
        int have = ilim - ipos;
        if (have >= n) {
            return;
        }
        if (ib == null || ib.length < n) {
            byte[] big = new byte[inSize];
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
            int r = eof ? -1 : readSocket(ib, ilim, ib.length - ilim);
            if (r < 0) {
                throw new ConnectionClosedException(
                        "connection closed by the peer after " + (ilim - ipos) + " of the " + n + " bytes of " + what,
                        ilim - ipos,
                        n);
            }
            ilim += r;
        }
    }

    @Override
    public int readInt() throws IOException {
        require(4, "an int");
        byte[] b = ib;
        int p = ipos;
        ipos = p + 4;
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    @Override
    public short readShort() throws IOException {
        require(2, "a short");
        int p = ipos;
        ipos = p + 2;
        return (short) ((ib[p] & 0xFF) << 8 | (ib[p + 1] & 0xFF));
    }

    @Override
    public long readLong() throws IOException {
        require(8, "a long");
        long hi = readIntBuffered();
        long lo = readIntBuffered();
        return hi << 32 | (lo & 0xFFFF_FFFFL);
    }

    private int readIntBuffered() {
        byte[] b = ib;
        int p = ipos;
        ipos = p + 4;
        return (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    }

    @Override
    public void readTimeout(java.time.Duration timeout) throws IOException {
        readTimeoutMillis(timeout == null ? 0 : Checks.millis("readTimeout", Checks.positive("readTimeout", timeout)));
    }

    /** The read timeout in milliseconds, 0 for none. */
    void readTimeoutMillis(int millis) throws IOException {
        if (io != null) {
            io.readTimeout(millis);
        } else {
            socket.setSoTimeout(millis);
        }
    }

    @Override
    public int available() {
        return ilim - ipos;
    }

    @Override
    public InputStream inputStream() {
        if (inView == null) {
            inView = new InputStream() {
                @Override
                public int read() throws IOException {
                    return readByte();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return readUpTo(b, off, len);
                }

                @Override
                public int available() {
                    return ConnectionImpl.this.available();
                }

                @Override
                public void close() throws IOException {
                    ConnectionImpl.this.close();
                }
            };
        }
        return inView;
    }

    // ------------------------------------------------------------------ output

    private byte[] outBuffer() {
        byte[] b = ob;
        if (b == null) {
            b = ob = outSize <= SMALL_BUFFER ? new byte[outSize] : smallOut();
        }
        return b;
    }

    private byte[] smallOut() {
        if (obSmall == null) {
            obSmall = new byte[SMALL_BUFFER];
        }
        return obSmall;
    }

    /** Replaces the small output buffer by a full one, keeping what it holds. */
    private byte[] growOut() {
        byte[] big = new byte[outSize];
        System.arraycopy(ob, 0, big, 0, opos);
        ob = big;
        return big;
    }

    private void writeSocket(byte[] b, int off, int len) throws IOException {
        Object previous = Tasklets.blockingOn(this);
        long start = System.nanoTime();
        try {
            if (io != null) {
                io.write(b, off, len);
            } else {
                out.write(b, off, len);
            }
        } finally {
            Tasklets.unblocked(previous);
        }
        long end = System.nanoTime();
        lastActivity = end;
        bytesOut.add(len);
        BYTES_WRITTEN.setOpaque(this, bytesWritten + len);
        // A peer that reads everything at once never makes this tasklet wait: it must take turns with the others.
        Fairness.afterBlockingCall(end - start);
    }

    @Override
    public Connection write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        byte[] buf = outBuffer();
        if (len > buf.length - opos && buf.length < outSize) {
            buf = growOut();
        }
        if (len <= buf.length - opos) {
            System.arraycopy(b, off, buf, opos, len);
            opos += len;
            return this;
        }
        flush();
        if (len >= buf.length) {
            writeSocket(b, off, len);
        } else {
            System.arraycopy(b, off, buf, 0, len);
            opos = len;
        }
        return this;
    }

    /** Makes room for {@code n <= outSize} bytes, flushing if needed, and returns the output buffer. */
    private byte[] room(int n) throws IOException {
        byte[] buf = outBuffer();
        if (buf.length - opos < n && buf.length < outSize) {
            buf = growOut();
        }
        if (buf.length - opos < n) {
            flush();
        }
        return buf;
    }

    @Override
    public Connection writeByte(int v) throws IOException {
        byte[] buf = room(1);
        buf[opos++] = (byte) v;
        return this;
    }

    @Override
    public Connection writeLine(String line) throws IOException {
        write(line.getBytes(StandardCharsets.UTF_8));
        return writeByte('\n');
    }

    @Override
    public Connection writeInt(int v) throws IOException {
        byte[] buf = room(4);
        int p = opos;
        buf[p] = (byte) (v >>> 24);
        buf[p + 1] = (byte) (v >>> 16);
        buf[p + 2] = (byte) (v >>> 8);
        buf[p + 3] = (byte) v;
        opos = p + 4;
        return this;
    }

    @Override
    public Connection writeShort(int v) throws IOException {
        byte[] buf = room(2);
        buf[opos] = (byte) (v >>> 8);
        buf[opos + 1] = (byte) v;
        opos += 2;
        return this;
    }

    @Override
    public Connection writeLong(long v) throws IOException {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    @Override
    public void flush() throws IOException {
        if (opos > 0) {
            int n = opos;
            opos = 0; // on failure the bytes are lost either way: the socket is broken
            writeSocket(ob, 0, n);
        }
    }

    @Override
    public OutputStream outputStream() {
        if (outView == null) {
            outView = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    writeByte(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ConnectionImpl.this.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    ConnectionImpl.this.flush();
                }

                @Override
                public void close() throws IOException {
                    ConnectionImpl.this.close();
                }
            };
        }
        return outView;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public ProtocolException protocolError(String why) {
        String message = "protocol error on " + this + ": " + why;
        LOG.debug("{}", message);
        abort(CloseReason.PROTOCOL_ERROR);
        return new ProtocolException(message);
    }

    /** Records {@code why} (unless a reason was recorded first) and closes the socket at once. */
    @Override
    public void abort(CloseReason why) {
        java.util.Objects.requireNonNull(why, "why");
        reason.compareAndSet(null, why);
        closeSocket();
    }

    /**
     * Runs {@code r} once the socket's descriptor is really closed: at once for a blocking socket, after
     * the reactor's next select for one it reads (see {@link ReactorIo#whenReleased}).
     */
    void whenDescriptorReleased(Runnable r) {
        if (io == null) {
            r.run();
        } else {
            io.whenReleased(r);
        }
    }

    /** True the first time only: the server's end-of-connection bookkeeping runs once. */
    boolean markFinished() {
        return finished.compareAndSet(false, true);
    }

    /** The first reason recorded by {@link #abort(CloseReason)}, or null. */
    CloseReason recordedReason() {
        return reason.get();
    }

    @Override
    public int readByteUnbuffered() throws IOException {
        if (ipos < ilim) {
            return ib[ipos++] & 0xFF;
        }
        ipos = 0;
        ilim = 0;
        if (opos == 0 && ob != null && ob.length > SMALL_BUFFER) {
            ob = null; // the next write starts in the small buffer again
        }
        if (eof) {
            ib = null;
            return -1;
        }
        if (ibSmall == null) {
            ibSmall = new byte[Math.min(SMALL_BUFFER, inSize)];
        }
        ib = ibSmall;
        int n = readSocket(ib, 0, ib.length);
        if (n < 0) {
            return -1;
        }
        ilim = n;
        return ib[ipos++] & 0xFF;
    }

    @Override
    public void shutdownOutput() throws IOException {
        flush();
        if (io != null) {
            io.shutdownOutput();
        } else {
            socket.shutdownOutput();
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void abort() {
        closeSocket();
    }

    @Override
    public void close() throws IOException {
        if (closed.get()) {
            return;
        }
        try {
            flush();
        } finally {
            closeSocket();
        }
    }

    private void closeSocket() {
        if (closed.compareAndSet(false, true)) {
            if (io != null) {
                io.close();
                return;
            }
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("closing {}", this, e);
            }
        }
    }

    /** Bytes read from the socket so far (any thread; a recent value). */
    long bytesRead() {
        return (long) BYTES_READ.getOpaque(this);
    }

    /** Bytes written to the socket so far (any thread; a recent value). */
    long bytesWritten() {
        return (long) BYTES_WRITTEN.getOpaque(this);
    }

    /** The connection as a sockets-report entry, read now from any thread. */
    java.util.Map<String, Object> toTree(long nowNanos) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("remote", format(remote));
        m.put("local", format(local));
        m.put("age_ms", (nowNanos - createdNanos) / 1_000_000);
        m.put("idle_ms", Math.max(0, (nowNanos - lastActivity) / 1_000_000));
        m.put("bytes_in", bytesRead());
        m.put("bytes_out", bytesWritten());
        CloseReason r = reason.get();
        m.put("state", closed.get() ? "closed" : r != null ? "closing" : "open");
        if (r != null) {
            m.put("close_reason", r.label());
        }
        m.put("tasklet", taskletId);
        return m;
    }

    /** {@code socket LOCAL<-REMOTE} on the server side, {@code socket LOCAL->REMOTE} on a client. */
    @Override
    public String toString() {
        String l = label;
        if (l == null) {
            l = label = "socket " + format(local) + (serverSide ? "<-" : "->") + format(remote);
        }
        return l;
    }

    static String format(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
