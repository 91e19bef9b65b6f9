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
 * <p><b>Buffers.</b> The encrypted input and the decrypted bytes not yet read are the reader's, the
 * encrypted output the writer's; each is sized by the engine's session (about 16 KiB) and grows if the
 * engine asks for more.
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Transport inner;
    private final SSLEngine engine;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();

    // the reader's, under readLock
    /** Encrypted bytes received and not yet unwrapped; write mode (position = end of the bytes). */
    private ByteBuffer netIn;
    /** Decrypted bytes not yet read; read mode (position..limit). */
    private ByteBuffer appIn;

    private boolean inboundDone;
    private int readTimeoutMillis; // the user's; the handshake uses its own

    // the writer's, under writeLock
    private ByteBuffer netOut;

    private volatile boolean handshaken;

    TlsTransport(Transport inner, SSLEngine engine) {
        this.inner = inner;
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.netIn = ByteBuffer.allocate(s.getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(s.getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(s.getPacketBufferSize());
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
            while (!appIn.hasRemaining()) {
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
     * One unwrap of {@link #netIn} into {@link #appIn}, keeping the bytes already in both; grows appIn
     * when the engine needs more room.
     */
    private SSLEngineResult unwrap() throws IOException {
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
                int need = engine.getSession().getApplicationBufferSize() + appIn.remaining();
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, appIn.capacity() * 2));
                bigger.put(appIn).flip();
                appIn = bigger;
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && !netIn.hasRemaining()) {
                int need = engine.getSession().getPacketBufferSize();
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, netIn.capacity() * 2));
                netIn.flip();
                bigger.put(netIn);
                netIn = bigger;
            }
            return r;
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
            writeLock.unlock();
        }
    }

    /** One wrap of {@code src} into {@link #netOut}, written to the transport below; grows netOut as needed. */
    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut =
                        ByteBuffer.allocate(Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity() * 2));
                continue;
            }
            if (netOut.position() > 0) {
                inner.write(netOut.array(), netOut.arrayOffset(), netOut.position());
            }
            return r;
        }
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
            writeLock.unlock();
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
            writeLock.unlock();
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
            writeLock.unlock();
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
            writeLock.unlock();
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
