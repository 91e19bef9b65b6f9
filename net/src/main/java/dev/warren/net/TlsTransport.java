package dev.warren.net;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * A {@link Transport} that carries a connection's bytes encrypted: an {@link SSLEngine} over another
 * transport, a blocking socket ({@link SocketTransport}) or a socket a reactor polls ({@link ReactorIo}),
 * so the same code serves both paths and neither falls back to the other. The connection above reads
 * and writes plaintext and never knows.
 *
 * <p>The handshake is done by {@link #handshake(int)} before the connection is handed to its handler
 * (server) or returned (client), bounded by the handshake timeout. After it, records the peer sends
 * between application data (TLS 1.3 session tickets and key updates) are handled by the reader as they
 * come; a renegotiation is refused.
 *
 * <p><b>Threading.</b> As {@link Transport}: one reader and one writer at a time, each holding its own
 * lock (the reader takes the writer's briefly when the engine must answer, such as a key update);
 * {@link #close()} from any thread. The engine allows a wrap and an unwrap at once.
 *
 * <p><b>Buffers.</b> A connection keeps only a small buffer for the encrypted bytes it receives
 * ({@value #RESIDENT} bytes, enough for a request or a handshake message). The record-sized buffers the
 * engine needs (about 17 KiB each: the decrypted bytes not yet read, the encrypted output, and the
 * encrypted input of a record larger than the small buffer) are borrowed from {@link TlsBuffers} for
 * as long as they hold bytes and given back as soon as they are empty, so a connection waiting for its
 * next request holds {@value #RESIDENT} bytes of them instead of 50 KiB, and the few buffers in use at
 * any moment stay warm in the caches. The reader's are the reader's (under its lock), the output is the
 * writer's.
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** The size of the encrypted-input buffer a connection keeps while it waits. */
    static final int RESIDENT = 4096;

    private final Transport inner;
    private final SSLEngine engine;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    // the reader's, under readLock
    /**
     * Encrypted bytes received and not yet unwrapped; write mode (position = end of the bytes). The
     * resident buffer, or a borrowed larger one while a record does not fit in it.
     */
    private ByteBuffer netIn;
    /** The buffer the connection keeps for {@link #netIn}. */
    private final ByteBuffer resident = ByteBuffer.allocate(RESIDENT);
    /** Whether {@link #netIn} is a borrowed buffer rather than {@link #resident}. */
    private boolean netInBorrowed;
    /** Decrypted bytes not yet read, in read mode (position..limit); borrowed, null when there are none. */
    private ByteBuffer appIn;

    private int appInSize; // what the engine wants for one record's plaintext

    private boolean inboundDone;
    private int readTimeoutMillis; // the user's; the handshake uses its own

    // the writer's, under writeLock
    /** Encrypted output: borrowed by the outermost holder of writeLock, given back when it unlocks. */
    private ByteBuffer netOut;

    private int netOutSize; // what the engine wants for one record

    private volatile boolean handshaken;

    TlsTransport(Transport inner, SSLEngine engine) {
        this.inner = inner;
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.netIn = resident;
        this.appInSize = s.getApplicationBufferSize();
        this.netOutSize = s.getPacketBufferSize();
    }

    /**
     * Does the TLS handshake, waiting at most {@code timeoutMillis} for all of it.
     *
     * @throws SSLHandshakeException if it fails: the peer's certificate is not trusted, the peer sent an
     *     alert or something that is not TLS, or it closed before the end
     * @throws SocketTimeoutException if it took longer than {@code timeoutMillis}
     */
    void handshake(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        readLock.lock();
        try {
            engine.beginHandshake();
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> wrapHandshake();
                    case NEED_TASK -> runTasks();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        SSLEngineResult r = unwrap();
                        if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                            if (left <= 0) {
                                throw new SocketTimeoutException(
                                        "TLS handshake not done after " + timeoutMillis + " ms");
                            }
                            inner.readTimeout((int) Math.min(Integer.MAX_VALUE, left));
                            int n;
                            try {
                                n = fill();
                            } catch (SocketTimeoutException e) {
                                SocketTimeoutException t = new SocketTimeoutException(
                                        "TLS handshake not done after " + timeoutMillis + " ms");
                                t.initCause(e);
                                throw t;
                            }
                            if (n < 0) {
                                throw new SSLHandshakeException(
                                        "the peer closed the connection during the TLS handshake");
                            }
                        } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("the peer closed TLS during the handshake");
                        }
                    }
                    case FINISHED, NOT_HANDSHAKING -> {
                        handshaken = true;
                        return;
                    }
                }
            }
        } catch (SSLException e) {
            sendAlert();
            throw e;
        } finally {
            try {
                inner.readTimeout(readTimeoutMillis);
            } finally {
                readLock.unlock();
            }
        }
    }

    /**
     * The bytes of borrowed buffers this transport holds now: 0 for a connection that waits with
     * nothing half-read or half-written. For tests, called by the one thread that reads and writes.
     */
    int borrowedBytes() {
        return (appIn == null ? 0 : appIn.capacity())
                + (netOut == null ? 0 : netOut.capacity())
                + (netInBorrowed ? netIn.capacity() : 0);
    }

    /** The session: the negotiated protocol, cipher suite and the peer's certificates. */
    @Override
    public SSLSession tlsSession() {
        return engine.getSession();
    }

    /** The ALPN protocol agreed on, or null if none was. */
    @Override
    public String applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    @Override
    public Socket socket() {
        return inner.socket();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        readLock.lock();
        try {
            while (appIn == null) {
                if (inboundDone) {
                    return -1;
                }
                SSLEngineResult r = unwrap();
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW -> {
                        if (fill() < 0) {
                            inboundDone = true; // a close without close_notify: an end of stream all the same
                            return -1;
                        }
                    }
                    case CLOSED -> {
                        inboundDone = true;
                        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                            closeNotify();
                        }
                    }
                    case OK, BUFFER_OVERFLOW -> afterUnwrap(r);
                }
            }
            int n = Math.min(len, appIn.remaining());
            appIn.get(b, off, n);
            if (!appIn.hasRemaining()) {
                TlsBuffers.give(appIn);
                appIn = null;
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Does what the engine needs after an unwrap outside the initial handshake: its tasks, and an answer
     * when it has one (a TLS 1.3 key update, a TLS 1.2 renegotiation, which the reader then carries on).
     */
    private void afterUnwrap(SSLEngineResult r) throws IOException {
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            wrapHandshake();
        }
    }

    /**
     * One unwrap of {@link #netIn} into {@link #appIn}, keeping the bytes already in both. appIn is
     * borrowed for it and given back if the unwrap left it empty; it grows when the engine needs more
     * room, and so does netIn when a record does not fit. netIn goes back to the resident buffer once
     * it is empty.
     */
    private SSLEngineResult unwrap() throws IOException {
        if (appIn == null) {
            appIn = TlsBuffers.take(appInSize).flip();
        }
        try {
            while (true) {
                netIn.flip();
                appIn.compact();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(netIn, appIn);
                } finally {
                    netIn.compact();
                    appIn.flip();
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    appInSize = Math.max(appInSize, engine.getSession().getApplicationBufferSize());
                    ByteBuffer bigger = TlsBuffers.take(Math.max(appInSize + appIn.remaining(), appIn.capacity() * 2));
                    bigger.put(appIn).flip();
                    TlsBuffers.give(appIn);
                    appIn = bigger;
                    continue;
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && !netIn.hasRemaining()) {
                    int need = Math.max(engine.getSession().getPacketBufferSize(), netIn.capacity() + 1);
                    ByteBuffer bigger = TlsBuffers.take(netInBorrowed ? Math.max(need, netIn.capacity() * 2) : need);
                    netIn.flip();
                    bigger.put(netIn);
                    if (netInBorrowed) {
                        TlsBuffers.give(netIn);
                    }
                    netIn = bigger;
                    netInBorrowed = true;
                }
                return r;
            }
        } finally {
            if (!appIn.hasRemaining()) {
                TlsBuffers.give(appIn);
                appIn = null;
            }
            if (netInBorrowed && netIn.position() == 0) {
                TlsBuffers.give(netIn);
                resident.clear();
                netIn = resident;
                netInBorrowed = false;
            }
        }
    }

    /** Reads encrypted bytes from the transport below into {@link #netIn}; -1 at end of stream. */
    private int fill() throws IOException {
        int n = inner.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
        if (n > 0) {
            netIn.position(netIn.position() + n);
        }
        return n;
    }

    private void runTasks() {
        for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            t.run(); // the key exchange's arithmetic: on this tasklet, like any other work of the connection
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        writeLock.lock();
        try {
            while (src.hasRemaining()) {
                SSLEngineResult r = wrap(src);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SocketException("Socket closed (TLS closed)");
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                    throw new SSLException("the TLS engine takes no application data while the peer renegotiates");
                }
            }
            if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                wrapHandshake(); // a key update the engine started on its own (after many bytes)
            }
        } finally {
            unlockWriter();
        }
    }

    /**
     * One wrap of {@code src} into {@link #netOut}, written to the transport below; borrows netOut (the
     * caller holds writeLock and gives it back with {@link #unlockWriter()}) and grows it as needed.
     */
    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        if (netOut == null) {
            netOut = TlsBuffers.take(netOutSize);
        }
        while (true) {
            netOut.clear();
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOutSize = Math.max(netOutSize, engine.getSession().getPacketBufferSize());
                ByteBuffer bigger = TlsBuffers.take(Math.max(netOutSize, netOut.capacity() * 2));
                TlsBuffers.give(netOut);
                netOut = bigger;
                continue;
            }
            if (netOut.position() > 0) {
                inner.write(netOut.array(), netOut.arrayOffset(), netOut.position());
            }
            return r;
        }
    }

    /** Unlocks writeLock; the outermost holder first gives the output buffer back. */
    private void unlockWriter() {
        if (writeLock.getHoldCount() == 1 && netOut != null) {
            TlsBuffers.give(netOut);
            netOut = null;
        }
        writeLock.unlock();
    }

    /** Wraps what the handshake (or a post-handshake message) has to send, and sends it. */
    private void wrapHandshake() throws IOException {
        writeLock.lock();
        try {
            while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = wrap(EMPTY);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            }
        } finally {
            unlockWriter();
        }
    }

    /** After a failed handshake: sends the alert the engine has for the peer, if it can at once. */
    private void sendAlert() {
        if (!writeLock.tryLock()) {
            return;
        }
        try {
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP; i++) {
                wrap(EMPTY);
            }
        } catch (IOException | RuntimeException e) {
            // the alert is a courtesy: the connection closes either way
        } finally {
            unlockWriter();
        }
    }

    /** Answers the peer's close_notify with ours. */
    private void closeNotify() {
        engine.closeOutbound();
        sendAlert();
    }

    @Override
    public void readTimeout(int millis) throws IOException {
        readTimeoutMillis = millis;
        inner.readTimeout(millis);
    }

    @Override
    public void shutdownOutput() throws IOException {
        writeLock.lock();
        try {
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult r = wrap(EMPTY);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
        } finally {
            unlockWriter();
        }
        inner.shutdownOutput();
    }

    /**
     * Sends close_notify, the TLS end of stream, as the writer (it may wait for room in the socket like
     * any write); once only, and only after a handshake.
     */
    @Override
    public void finishOutput() throws IOException {
        if (!handshaken) {
            return;
        }
        writeLock.lock();
        try {
            if (!engine.isOutboundDone()) {
                engine.closeOutbound();
                wrap(EMPTY);
            }
        } finally {
            unlockWriter();
        }
    }

    /** Closes the transport below at once (never waits for a writer or sends anything). */
    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void whenReleased(Runnable r) {
        inner.whenReleased(r);
    }
}
