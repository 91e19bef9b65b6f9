package dev.warren.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.nio.charset.Charset;

/**
 * A TCP connection with buffered input and output, read and written in blocking style from a tasklet.
 *
 * <pre>{@code
 * for (String line; (line = conn.readLine(8192)) != null; ) {
 *     conn.writeLine(line).flush();
 * }
 * }</pre>
 *
 * <p><b>Threading.</b> The input side (every {@code read...} method, {@link #available()},
 * {@link #inputStream()}) is used by one tasklet at a time, the output side (every {@code write...}
 * method, {@link #flush()}, {@link #outputStream()}) by one tasklet at a time; the two sides may be
 * used by two different tasklets at once (a reader and a writer). Nothing here is locked: sharing one
 * side between tasklets needs the caller's own {@link java.util.concurrent.locks.ReentrantLock}.
 * {@link #abort()}, {@link #protocolError(String)}, {@link #isOpen()} and the address methods may be
 * called from any thread. Reads block until data arrives (at most the read timeout, if set; then
 * {@link java.net.SocketTimeoutException}); {@code flush} blocks while the kernel's send buffer is
 * full. Both are parked virtual-thread waits, not blocked carrier threads, and both end with an
 * exception when the tasklet is cancelled (the JDK closes the socket of an interrupted virtual thread).
 * The registry shows a blocked tasklet as waiting on {@code socket LOCAL<-REMOTE}.
 *
 * <p><b>End of stream.</b> A peer that closes cleanly is not an error: {@link #readByte()},
 * {@link #readUpTo} and {@link #readFully} return {@code -1} and {@link #readLine(int)} returns
 * {@code null} when the stream ends at a message boundary. When it ends inside a unit that needed more
 * bytes (the rest of a {@code readFully}, a line without its terminator, an {@code int}), the read
 * throws {@link ConnectionClosedException}. A reset or another transport failure throws a plain
 * {@link IOException}.
 *
 * <p><b>Buffers.</b> Each connection has its own input and output buffer, sized by the server builder
 * or the {@link ConnectOptions}, allocated on first use (a connection that never reads holds no input
 * buffer). Writes go to the output buffer and reach the socket only on {@link #flush()} or when the
 * buffer fills, so many small messages leave in one system call.
 *
 * <p><b>Closing.</b> {@link #close()} flushes what is buffered, then closes the socket. On a server the
 * server closes the connection when the handler ends; the handler need not. {@link #abort()} closes at
 * once from any thread, discarding buffered output. After either, reads and writes throw
 * {@link IOException}.
 */
public interface Connection extends Closeable {

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** This side's address. */
    InetSocketAddress localAddress();

    // ---- input ----

    /**
     * Reads exactly {@code len} bytes into {@code b[off..off+len)}, blocking until they have arrived.
     *
     * @return {@code len}, or {@code -1} if the stream ended before the first byte (nothing was read)
     * @throws ConnectionClosedException if the stream ended after some but not all of the bytes
     */
    int readFully(byte[] b, int off, int len) throws IOException;

    /**
     * Reads at least one and at most {@code len} bytes: whatever is buffered, or, with an empty buffer,
     * what one read from the socket brings. Blocks only when nothing is buffered.
     *
     * @return the number of bytes read ({@code 0} only when {@code len == 0}), or {@code -1} at end of stream
     */
    int readUpTo(byte[] b, int off, int len) throws IOException;

    /** Reads one byte: {@code 0..255}, or {@code -1} at end of stream. */
    int readByte() throws IOException;

    /**
     * Reads a line terminated by {@code \n} (a preceding {@code \r} is dropped too) and decodes it as
     * UTF-8, without the terminator.
     *
     * @param maxLength the longest line accepted, in bytes, terminator excluded; {@code >= 0}
     * @return the line, or {@code null} if the stream ended before its first byte
     * @throws LineTooLongException if no terminator came within {@code maxLength} bytes; the input is
     *     then in the middle of the line and the connection should be closed
     * @throws ConnectionClosedException if the stream ended inside a line
     */
    default String readLine(int maxLength) throws IOException {
        return readLine(maxLength, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Like {@link #readLine(int)}, decoding with {@code charset} (HTTP heads use ISO-8859-1). */
    String readLine(int maxLength, Charset charset) throws IOException;

    /**
     * Reads a 4-byte big-endian {@code int}.
     *
     * @throws ConnectionClosedException if the stream ends before all four bytes (even before the first:
     *     a value was required; check {@link ConnectionClosedException#bytesRead()})
     */
    int readInt() throws IOException;

    /** Reads a 2-byte big-endian {@code short}; end of stream as for {@link #readInt()}. */
    short readShort() throws IOException;

    /** Reads an 8-byte big-endian {@code long}; end of stream as for {@link #readInt()}. */
    long readLong() throws IOException;

    /**
     * Sets how long each later blocking read may wait before it throws
     * {@link java.net.SocketTimeoutException}; {@code null} for no limit. Replaces the server's or the
     * {@link ConnectOptions}' read timeout for this connection. Cheap (no system call): protocols may
     * change it per phase, for instance a deadline for a request's header. Call it from the reading tasklet.
     *
     * @param timeout {@code > 0}, or null for none
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    void readTimeout(java.time.Duration timeout) throws IOException;

    /** The bytes readable without blocking: those in the input buffer (the kernel is not asked). */
    int available();

    /** An {@link InputStream} view of the input side (buffered; {@code close()} closes the connection). */
    InputStream inputStream();

    // ---- output ----

    /** Buffers {@code b}; see {@link #write(byte[], int, int)}. */
    default Connection write(byte[] b) throws IOException {
        return write(b, 0, b.length);
    }

    /**
     * Buffers {@code b[off..off+len)}. Blocks (writing to the socket) only when the output buffer is
     * full; a write at least as large as the buffer goes to the socket directly after what is buffered.
     */
    Connection write(byte[] b, int off, int len) throws IOException;

    /** Buffers one byte (the low 8 bits of {@code b}). */
    Connection writeByte(int b) throws IOException;

    /** Buffers {@code line} encoded as UTF-8, then {@code \n}. */
    Connection writeLine(String line) throws IOException;

    /** Buffers a 4-byte big-endian {@code int}. */
    Connection writeInt(int v) throws IOException;

    /** Buffers a 2-byte big-endian {@code short}. */
    Connection writeShort(int v) throws IOException;

    /** Buffers an 8-byte big-endian {@code long}. */
    Connection writeLong(long v) throws IOException;

    /** Writes everything buffered to the socket in one system call (more only if the kernel takes less). */
    void flush() throws IOException;

    /** An {@link OutputStream} view of the output side (buffered; {@code flush()} flushes the connection). */
    OutputStream outputStream();

    // ---- lifecycle ----

    /**
     * Closes the connection because the peer broke the protocol: logs {@code reason} at DEBUG, counts
     * the connection under {@link CloseReason#PROTOCOL_ERROR} on a server, and closes the socket at once.
     * Returns an exception for the caller to throw, so that the handler stops:
     * <pre>{@code throw conn.protocolError("frame length " + n + " above the maximum " + max);}</pre>
     * May be called from any thread.
     */
    ProtocolException protocolError(String reason);

    /**
     * Flushes buffered output, then half-closes the connection: the peer reads the end of stream after
     * the flushed bytes, while this side can still read what the peer sends. Writes after it throw.
     * Used for a lingering close (answer an error, then drain what the peer still sends, so that the
     * kernel does not reset the connection under the answer). Call it from the writing tasklet.
     */
    void shutdownOutput() throws IOException;

    /**
     * Reads one byte like {@link #readByte()}, but when nothing is buffered, first lets go of the full
     * input and output buffers (the output one if it is empty) and waits with a small (512-byte) input
     * buffer, kept by the connection for these waits, that takes whatever arrives with the byte; writes
     * start in a small output buffer too. A message that outgrows a small buffer gets a full one again.
     * For protocols whose connections sit idle for long between short messages (HTTP keep-alive): an
     * idle connection then holds about 1 KB of buffers, and a short request and its answer allocate
     * none. Call it from the tasklet that reads and writes.
     *
     * @return {@code 0..255}, or {@code -1} at end of stream
     */
    int readByteUnbuffered() throws IOException;

    /**
     * Reads one byte like {@link #readByteUnbuffered()}, letting go of the full input buffer only: the
     * output buffer is left alone, so other tasklets may be writing meanwhile (a WebSocket, whose messages
     * are sent from any tasklet while one receives). An idle connection then holds the small input
     * buffer and whatever output buffer its writers last used. Call it from the reading tasklet.
     *
     * @return {@code 0..255}, or {@code -1} at end of stream
     */
    int readByteUnbufferedInput() throws IOException;

    /**
     * Lets go of the output buffers if they hold nothing (call it after a {@link #flush()}); the next
     * write takes a small one again. For a connection handed to a protocol that may hold it for hours
     * and writes rarely (a WebSocket after its opening handshake). Call it from the writing tasklet,
     * while no other tasklet writes.
     */
    void releaseOutputBuffers();

    /**
     * Lets the protocol say when this connection is idle, for the server's idle timeout ({@link
     * ListenerOptions#idleTimeout()}): from now on the server's idle reaper calls {@code check} instead
     * of closing the connection after that long without a read or write. A protocol whose connections
     * may go without I/O while busy (an HTTP handler that computes for a while) and whose idle wait is
     * a protocol state (waiting for the next request) uses it, so that one reaper per server serves
     * every protocol. No effect on a client connection or on a server without an idle timeout.
     *
     * <p>{@code check} runs on the server's reaper tasklet, concurrently with the connection's own
     * tasklets, every quarter of the idle timeout (at most every 250 ms, at least every 5 ms); it must
     * not block, and closes the connection itself when it decides to (e.g. with {@link #abort()}). Any
     * thread may set it; the reaper sees the latest one.
     */
    void idleCheck(IdleCheck check);

    /** A protocol's idle rule for its connection; see {@link Connection#idleCheck(IdleCheck)}. */
    @FunctionalInterface
    interface IdleCheck {
        /**
         * Closes the connection if the protocol considers it idle for longer than {@code idleNanos}.
         *
         * @param nowNanos {@link System#nanoTime()} at this round of the reaper
         * @param idleNanos the server's idle timeout, in nanoseconds
         */
        void check(long nowNanos, long idleNanos);
    }

    /** True until the connection is closed (by either call here, the server, or a failed socket). */
    boolean isOpen();

    /** Closes the socket at once, discarding buffered output. Any thread; harmless if already closed. */
    void abort();

    /**
     * Like {@link #abort()}, and on a server counts the connection under {@code why}, unless a reason
     * was recorded first: for a protocol on top that ends a connection for a reason of its own (HTTP
     * answers a stalled request 408 and closes it as a {@link CloseReason#TIMEOUT}). Any thread.
     */
    void abort(CloseReason why);

    /**
     * Flushes buffered output, then closes the socket (even if the flush fails). Call it from the tasklet
     * that writes, or when no write is in progress; from elsewhere use {@link #abort()}. Harmless if
     * already closed.
     *
     * @throws IOException if the final flush failed (the socket is closed anyway)
     */
    @Override
    void close() throws IOException;

    /**
     * The TLS session of an encrypted connection, once its handshake is done (a server hands it to the
     * handler after the handshake, a client returns it after): the protocol ({@code TLSv1.3}), the cipher
     * suite, and the peer's certificates ({@link javax.net.ssl.SSLSession#getPeerCertificates()}, for a
     * server that asks clients for one). Empty for a plaintext connection. Any thread.
     */
    default java.util.Optional<javax.net.ssl.SSLSession> tlsSession() {
        return java.util.Optional.empty();
    }

    /** The ALPN protocol agreed on in the TLS handshake ({@code http/1.1}); empty if none was, or without TLS. */
    default java.util.Optional<String> applicationProtocol() {
        return java.util.Optional.empty();
    }
}
