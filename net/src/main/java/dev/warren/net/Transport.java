package dev.warren.net;

import java.io.IOException;
import java.net.Socket;

/**
 * What carries one connection's bytes: the seam under {@link ConnectionImpl}. Everything above it (the
 * {@link InputBuffer}, the {@link OutputBuffer}, the protocols) is the same whichever transport moves
 * the bytes; a blocking socket ({@link SocketTransport}) and a socket a {@link Reactor} polls ({@link
 * ReactorIo}) are the two ways to the socket, and {@link TlsTransport} carries the bytes encrypted over either
 * of them: a new way of carrying bytes is a new implementation here, not a branch in the connection.
 *
 * <p><b>Threading.</b> One tasklet at a time reads (the connection's reader) and one at a time writes
 * (its writer, possibly the same tasklet); {@link #close()} and {@link #whenReleased(Runnable)} may be
 * called from any thread, any number of times, and a close ends a blocked read or write with a {@link
 * java.net.SocketException}. An interrupt of a blocked read or write closes the transport and throws a
 * {@link java.net.SocketException}, as a blocking socket does.
 *
 * <p><b>Blocking.</b> {@link #read} waits for at least one byte (or the read timeout), {@link #write}
 * until every byte was handed to the kernel. Neither counts bytes nor marks the connection blocked:
 * the buffers above do that, once per call, for every transport alike.
 *
 * <p><b>Ownership.</b> The connection owns its transport and closes it exactly when it closes.
 */
interface Transport {
    /** The socket under this transport: its addresses and options (never its streams: read and write here). */
    Socket socket();

    /**
     * Reads at least one byte into {@code b[off..off+len)}, waiting for it; returns the count, or -1 at
     * end of stream.
     *
     * @throws java.net.SocketTimeoutException when the {@linkplain #readTimeout read timeout} passed
     *     without a byte
     */
    int read(byte[] b, int off, int len) throws IOException;

    /** Writes all of {@code b[off..off+len)}, waiting while the peer does not take them. */
    void write(byte[] b, int off, int len) throws IOException;

    /** Sets how long one {@link #read} may wait, in milliseconds; 0 for no limit. The reader's own setting. */
    void readTimeout(int millis) throws IOException;

    /** Half-closes: the peer reads end of stream, this side can still read. */
    void shutdownOutput() throws IOException;

    /**
     * Ends this side's stream in the transport's own terms before a close, as the writer: TLS sends its
     * close_notify; a plain socket has nothing to send. Called after the last flush of a normal close,
     * never by an abort.
     */
    default void finishOutput() throws IOException {}

    /** The TLS session of an encrypted transport (after its handshake); null for a plain one. */
    default javax.net.ssl.SSLSession tlsSession() {
        return null;
    }

    /** The ALPN protocol an encrypted transport agreed on; null if none, or for a plain one. */
    default String applicationProtocol() {
        return null;
    }

    /** Closes the transport and wakes a blocked reader and writer; any thread, any number of times. */
    void close();

    /**
     * Runs {@code r} once the socket's descriptor is really closed: at once for a blocking socket, after
     * the reactor's next select for one it polls (see {@link ReactorIo#whenReleased}). Called at most
     * once per transport.
     */
    void whenReleased(Runnable r);
}
