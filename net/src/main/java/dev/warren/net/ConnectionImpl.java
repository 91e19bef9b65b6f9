package dev.warren.net;

import dev.warren.net.internal.Checks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link Connection}: a {@link Transport} that carries the bytes, an {@link InputBuffer} and an
 * {@link OutputBuffer} over it, and the connection's lifecycle (close reasons, the once-only end, the
 * sockets-report entry).
 *
 * <p>The transport is a blocking socket ({@link SocketTransport}) or, on a server with a {@link Reactor},
 * the reactor's hand-off ({@link ReactorIo}); the buffers and everything above them are the same. The
 * byte counters of a server are shared {@link LongAdder}s, added to once per transport call.
 *
 * <p><b>Threading</b> as {@link Connection}: one reader and one writer tasklet; close, abort and the
 * report from any thread.
 */
final class ConnectionImpl implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionImpl.class);

    private final Transport transport;
    private final InputBuffer in;
    private final OutputBuffer out;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final boolean serverSide;

    /** System.nanoTime() of the last transport read or write; read by a server's idle reaper. */
    volatile long lastActivity;

    /** When the connection was set up: System.nanoTime() (ages, newest-first order) and wall-clock millis. */
    final long createdNanos = System.nanoTime();

    final long createdMillis = System.currentTimeMillis();

    /** The protocol's idle rule, or null for "no read or write for the idle timeout"; read by the reaper. */
    volatile IdleCheck idleCheck;

    /** The id of the tasklet serving the connection (0 until it runs); for the sockets report. */
    volatile long taskletId;

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

    /** A connection over a blocking socket. */
    ConnectionImpl(Socket socket, boolean serverSide, int inSize, int outSize, LongAdder bytesIn, LongAdder bytesOut)
            throws IOException {
        this(new SocketTransport(socket), serverSide, inSize, outSize, bytesIn, bytesOut);
    }

    /** A connection over {@code transport}, which it owns from now on. */
    ConnectionImpl(
            Transport transport, boolean serverSide, int inSize, int outSize, LongAdder bytesIn, LongAdder bytesOut) {
        this.transport = transport;
        Socket socket = transport.socket();
        this.remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.local = (InetSocketAddress) socket.getLocalSocketAddress();
        this.serverSide = serverSide;
        this.in = new InputBuffer(this, transport, inSize, bytesIn);
        this.out = new OutputBuffer(this, transport, outSize, bytesOut);
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

    @Override
    public int readFully(byte[] b, int off, int len) throws IOException {
        return in.readFully(b, off, len);
    }

    @Override
    public int readUpTo(byte[] b, int off, int len) throws IOException {
        return in.readUpTo(b, off, len);
    }

    @Override
    public int readByte() throws IOException {
        return in.readByte();
    }

    @Override
    public String readLine(int maxLength, Charset charset) throws IOException {
        return in.readLine(maxLength, charset);
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public short readShort() throws IOException {
        return in.readShort();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public void readTimeout(java.time.Duration timeout) throws IOException {
        readTimeoutMillis(timeout == null ? 0 : Checks.millis("readTimeout", Checks.positive("readTimeout", timeout)));
    }

    /** The read timeout in milliseconds, 0 for none. */
    void readTimeoutMillis(int millis) throws IOException {
        transport.readTimeout(millis);
    }

    @Override
    public int available() {
        return in.available();
    }

    @Override
    public int readByteUnbuffered() throws IOException {
        if (in.available() == 0) {
            out.shrink(); // idle between messages: the next response starts in the small buffer again
        }
        return in.readByteUnbuffered();
    }

    @Override
    public void releaseOutputBuffers() {
        out.release();
    }

    @Override
    public int readByteUnbufferedInput() throws IOException {
        return in.readByteUnbuffered();
    }

    @Override
    public InputStream inputStream() {
        if (inView == null) {
            inView = new InputStream() {
                @Override
                public int read() throws IOException {
                    return in.readByte();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.readUpTo(b, off, len);
                }

                @Override
                public int available() {
                    return in.available();
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

    @Override
    public Connection write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        return this;
    }

    @Override
    public Connection writeByte(int v) throws IOException {
        out.writeByte(v);
        return this;
    }

    @Override
    public Connection writeLine(String line) throws IOException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.writeByte('\n');
        return this;
    }

    @Override
    public Connection writeInt(int v) throws IOException {
        out.writeInt(v);
        return this;
    }

    @Override
    public Connection writeShort(int v) throws IOException {
        out.writeShort(v);
        return this;
    }

    @Override
    public Connection writeLong(long v) throws IOException {
        out.writeLong(v);
        return this;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public OutputStream outputStream() {
        if (outView == null) {
            outView = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    out.writeByte(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
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

    /** The transport below (for tests of this package). */
    Transport transport() {
        return transport;
    }

    /** Runs {@code r} once the socket's descriptor is really closed (see {@link Transport#whenReleased}). */
    void whenDescriptorReleased(Runnable r) {
        transport.whenReleased(r);
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
    public void shutdownOutput() throws IOException {
        out.flush();
        transport.shutdownOutput();
    }

    @Override
    public void idleCheck(IdleCheck check) {
        this.idleCheck = java.util.Objects.requireNonNull(check, "check");
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
            transport.finishOutput();
        } finally {
            closeSocket();
        }
    }

    /** Flushes and ends the stream in the transport's terms (TLS: close_notify), as the writer; no close. */
    void finishOutput() throws IOException {
        flush();
        transport.finishOutput();
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> tlsSession() {
        return java.util.Optional.ofNullable(transport.tlsSession());
    }

    @Override
    public java.util.Optional<String> applicationProtocol() {
        return java.util.Optional.ofNullable(transport.applicationProtocol());
    }

    private void closeSocket() {
        if (closed.compareAndSet(false, true)) {
            transport.close();
        }
    }

    /** Bytes read from the transport so far (any thread; a recent value). */
    long bytesRead() {
        return in.bytesRead();
    }

    /** Bytes written to the transport so far (any thread; a recent value). */
    long bytesWritten() {
        return out.bytesWritten();
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
        javax.net.ssl.SSLSession tls = transport.tlsSession();
        if (tls != null) {
            m.put("tls", tls.getProtocol() + " " + tls.getCipherSuite());
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
