package dev.warren.net.http;

import dev.warren.net.CloseReason;
import dev.warren.net.Connection;
import dev.warren.tasklets.Fairness;
import dev.warren.tasklets.observe.LogStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP connection's state machine, run on its tasklet: wait for a request (idle timeout) → read
 * the head (header deadline) → dispatch → write the response → keep alive or close.
 *
 * <p>Output is never flushed while more input is already buffered: pipelined requests that arrived
 * together are answered by one write. Before every read that would block, buffered output is flushed.
 */
final class ServerConnection {
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;
    /** How long an error answer waits for the client to read it and close (the lingering close). */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final long LINGER_MAX_BYTES = 1 << 20;

    private final HttpServer server;
    private final Connection conn;
    private final Input in;
    /** Dropped when a 101 hands the connection to another protocol, which may hold it for hours. */
    private RequestParser parser;

    private final AtomicInteger state = new AtomicInteger(BUSY);
    /** System.nanoTime() when the connection last began to wait for a request; read by the idle reaper. */
    private volatile long idleSince;
    /** Set by the idle reaper before it closes the connection for idleness. */
    private volatile boolean idleTimedOut;

    ServerConnection(HttpServer server, Connection conn) {
        this.server = server;
        this.conn = conn;
        this.in = new Input(conn);
        this.parser = new RequestParser(server.limits);
    }

    /** Closes the connection if it is waiting for a request; called by {@link HttpServer#close()}. */
    void closeIfIdle() {
        if (state.compareAndSet(IDLE, CLOSED)) {
            conn.abort();
        }
    }

    /**
     * Called by the server's idle reaper (the TCP server's, see {@link dev.warren.net.Connection#idleCheck}): closes the connection if it has waited for its next request for
     * longer than the idle timeout, by the same IDLE → CLOSED step as {@link #closeIfIdle()}.
     */
    void sweep(long now, long idleNanos) {
        if (state.get() == IDLE && now - idleSince > idleNanos && state.compareAndSet(IDLE, CLOSED)) {
            HttpServer.LOG.debug("{}: {} idle for more than {} ms, closing", server.name, conn, idleNanos / 1_000_000);
            idleTimedOut = true;
            conn.abort();
        }
    }

    /** The protocol a 101 answer handed the connection to, started by {@link #run()} after the exchange. */
    private Response.Upgrade upgrade;

    void run() throws IOException {
        conn.idleCheck(this::sweep);
        server.live.add(this);
        try {
            loop();
            Response.Upgrade u = upgrade;
            if (u != null) {
                // run from here, not from inside the exchange: a WebSocket parks for hours with this stack
                upgrade = null;
                parser = null;
                conn.releaseOutputBuffers(); // the 101 is flushed; the new protocol's writers take their own
                u.run(conn, server);
            }
        } finally {
            server.live.remove(this);
        }
    }

    private void loop() throws IOException {
        for (; ; ) {
            idleSince = System.nanoTime();
            state.set(IDLE);
            if (server.closing) {
                return;
            }
            int first;
            try {
                first = awaitRequest();
            } catch (IOException e) {
                if (state.get() == CLOSED) {
                    if (idleTimedOut) {
                        // closed by the idle reaper: silently for the client, counted as a TIMEOUT close
                        throw new SocketTimeoutException(
                                "no request for more than " + server.idleTimeoutMillis + " ms");
                    }
                    return; // closed by the server's close(): silently
                }
                throw e;
            }
            if (first < 0 || !state.compareAndSet(IDLE, BUSY)) {
                return;
            }
            in.timeouts(System.nanoTime() + server.headerTimeoutNanos, 0);
            RequestHead head;
            try {
                head = parser.parseHead(in);
            } catch (HttpParseException e) {
                throw reject(e.status(), e.getMessage(), null);
            } catch (SocketTimeoutException e) {
                throw reject(
                        408,
                        "request head not complete within " + TimeUnit.NANOSECONDS.toMillis(server.headerTimeoutNanos)
                                + " ms",
                        null);
            }
            if (head == null) {
                return;
            }
            in.timeouts(0, server.bodyReadTimeoutMillis);
            if (!exchange(head)) {
                return;
            }
            // Pipelined requests are read from the buffer without waiting: give the carrier back now and then.
            Fairness.checkpoint();
        }
    }

    /**
     * Waits for the first byte of the next request, without a socket timeout: the server's idle reaper
     * enforces the idle timeout (see {@link #sweep}), so no JDK timer is armed per request. While it
     * waits, the connection holds only its small buffers ({@link Connection#readByteUnbuffered()}), so
     * many idle keep-alive connections cost little memory.
     */
    private int awaitRequest() throws IOException {
        in.timeouts(0, 0);
        if (in.available() > 0) {
            return in.awaitFirst();
        }
        return in.awaitFirstUnbuffered(
                server.yieldBeforeWait && server.live.size() <= HttpServer.YIELD_MAX_CONNECTIONS);
    }

    /** Serves one request; returns whether the connection stays open. */
    private boolean exchange(RequestHead head) throws IOException {
        server.requests.increment();
        long start = System.nanoTime();
        BodyInputStream framed = head.chunked()
                ? BodyInputStream.chunked(in, server.limits, parser.reader())
                : head.contentLength() > 0 ? BodyInputStream.fixed(in, head.contentLength()) : null;
        Body body = framed == null ? null : new Body(framed, head.expectContinue(), head.contentLength());
        try {
            return exchange(head, framed, body, start);
        } finally {
            if (body != null) {
                body.release();
            }
        }
    }

    private boolean exchange(RequestHead head, BodyInputStream framed, Body body, long start) throws IOException {
        Request req = new Request(head, body, framed, conn.remoteAddress());
        Response resp;
        try {
            resp = server.handler.handle(req);
            if (resp == null) {
                throw new IllegalStateException("handler returned null");
            }
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError fatal && !(t instanceof StackOverflowError)) {
                throw fatal; // out of memory and the like: not the request's fault, not survivable here
            }
            if (body != null && body.failure != null) {
                throw reject(body.failure.status(), body.failure.getMessage(), head);
            }
            if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new InterruptedIOException("interrupted while handling " + req);
            }
            server.handlerErrors.increment();
            long heldBack = server.errorLog.admit();
            if (heldBack >= 0) {
                HttpServer.LOG.error(
                        "{}: handler failed on {}{}", server.name, req, server.errorLog.suffix(heldBack), t);
            }
            resp = Response.text(500, "internal server error\n");
        }
        if (body != null && body.failure != null) {
            throw reject(body.failure.status(), body.failure.getMessage(), head); // the handler swallowed it
        }
        boolean keepAlive = head.keepAlive() && !resp.wantsClose() && !server.closing;
        if (framed != null && !framed.finished() && head.expectContinue() && !body.continueSent) {
            keepAlive = false; // the client still waits for 100 before sending a body nobody read
        }
        keepAlive = write(head, req, resp, keepAlive);
        if (framed != null && !framed.finished() && upgrade == null) {
            if (keepAlive) {
                try {
                    framed.discardRest();
                } catch (IOException e) {
                    keepAlive = false; // the answer is out; the stream after it cannot be trusted
                }
            } else {
                lingeringClose(); // the client may still be sending the body nobody read
            }
        }
        HttpMetrics metrics = server.metrics;
        if (metrics != null) {
            metrics.record(head.method(), resp.status(), start, System.nanoTime());
        }
        if (LogStreams.HTTP_ACCESS.enabled()) {
            LogStreams.HTTP_ACCESS.log(
                    "{} \"{} {} {}\" {} {}us",
                    conn.remoteAddress(),
                    head.method(),
                    head.target(),
                    head.version(),
                    resp.status(),
                    TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
        }
        return keepAlive;
    }

    /** Writes {@code resp} into the connection's buffer; returns whether the connection may stay open. */
    private boolean write(RequestHead head, Request req, Response resp, boolean keepAlive) throws IOException {
        int status = resp.status();
        boolean headRequest = head.method().equals("HEAD");
        boolean streaming = resp.isStreaming();
        long sized = streaming ? resp.streamLength() : -1;
        boolean chunked = streaming && sized < 0 && head.minorVersion() == 1;
        if (streaming && sized < 0 && !chunked) {
            keepAlive = false; // HTTP/1.0: the end of the body is the end of the connection
        }
        Connection c = conn;
        c.write(Wire.statusLine(status));
        c.write(Wire.dateLine());
        List<String> hs = resp.headerList();
        for (int i = 0, n = hs.size(); i < n; i += 2) {
            c.write(hs.get(i).getBytes(StandardCharsets.ISO_8859_1));
            c.write(Wire.COLON_SP);
            c.write(hs.get(i + 1).getBytes(StandardCharsets.ISO_8859_1));
            c.write(Wire.CRLF);
        }
        if (resp.upgrade() != null) {
            // 101: the headers, then the connection belongs to the new protocol until it ends; run() starts
            // it once the exchange has unwound (the 101 is counted and logged as the handshake's answer)
            c.write(Wire.CRLF);
            c.flush();
            upgrade = resp.upgrade();
            return false;
        }
        if (chunked) {
            c.write(Wire.CHUNKED);
        } else if (status != 204 && status != 304) {
            // a 304 may carry Content-Length only if it is the length a 200 would have had: send none
            if (sized >= 0) {
                c.write(Wire.CONTENT_LENGTH);
                c.write(Wire.decimal(sized));
                c.write(Wire.CRLF);
            } else if (!streaming) {
                c.write(Wire.CONTENT_LENGTH);
                c.write(Wire.decimal(resp.bodyBytes().length));
                c.write(Wire.CRLF);
            }
        }
        if (!keepAlive) {
            c.write(Wire.CONNECTION_CLOSE);
        } else if (head.minorVersion() == 0) {
            c.write(Wire.CONNECTION_KEEP_ALIVE);
        }
        c.write(Wire.CRLF);
        if (headRequest || status == 204 || status == 304) {
            return keepAlive;
        }
        if (!streaming) {
            c.write(resp.bodyBytes());
            return keepAlive;
        }
        ChunkedOutputStream out = new ChunkedOutputStream(c, chunked, sized);
        try {
            resp.writer().writeTo(out);
            out.finish();
        } catch (IOException | RuntimeException e) {
            if (out.connectionFailure() != null) {
                // the client went away (a reset, a broken pipe) mid-body: its doing, counted as such
                HttpServer.LOG.debug(
                        "{}: client gone while streaming the body of {}: {}", server.name, req, e.toString());
                throw out.connectionFailure();
            }
            // The handler's writer failed: a bug, logged (rate-limited) and counted as an ERROR close by the server.
            server.handlerErrors.increment();
            conn.abort(); // the body is cut short: the client must see the connection end
            throw new IllegalStateException("streaming the response body of " + req + " failed", e);
        }
        return keepAlive;
    }

    /**
     * Answers {@code status} with a short text, closes the output, drains what the client still sends
     * (so the kernel does not reset the connection under the answer), and returns the exception that
     * ends the connection, counted as a protocol error (a timeout for 408, a limit for 503).
     */
    private IOException reject(int status, String message, RequestHead head) {
        server.rejected.increment();
        try {
            byte[] body =
                    (status + " " + HttpStatus.reason(status) + ": " + message + "\n").getBytes(StandardCharsets.UTF_8);
            conn.write(Wire.statusLine(status));
            conn.write(Wire.dateLine());
            conn.write(Wire.ascii("Content-Type: text/plain; charset=utf-8\r\n"));
            conn.write(Wire.CONTENT_LENGTH);
            conn.write(Wire.decimal(body.length));
            conn.write(Wire.CRLF);
            conn.write(Wire.CONNECTION_CLOSE);
            conn.write(Wire.CRLF);
            if (head == null || !head.method().equals("HEAD")) {
                conn.write(body);
            }
        } catch (IOException e) {
            HttpServer.LOG.debug("{}: answering {} on {} failed: {}", server.name, status, conn, e.toString());
        }
        lingeringClose();
        if (LogStreams.HTTP_ACCESS.enabled()) {
            LogStreams.HTTP_ACCESS.log(
                    "{} \"{} {} {}\" {} rejected: {}",
                    conn.remoteAddress(),
                    head == null ? "-" : head.method(),
                    head == null ? "-" : head.target(),
                    head == null ? "-" : head.version(),
                    status,
                    message);
        }
        if (status == 408 || status == 503) {
            // a client too slow (a trickled head, a stalled body), or a server too busy: not a broken protocol
            CloseReason why = status == 408 ? CloseReason.TIMEOUT : CloseReason.LIMIT;
            HttpServer.LOG.debug("{}: {} closed ({}): {} {}", server.name, conn, why.label(), status, message);
            conn.abort(why);
            return new SocketException(status + " " + message);
        }
        return conn.protocolError(status + " " + message);
    }

    /**
     * Flushes, half-closes, and reads and discards what the client still sends, for up to 2 s or 1 MiB,
     * before the connection is closed: closing a socket with unread input makes the kernel send a
     * reset, which can destroy the response at the client before it was read.
     */
    private void lingeringClose() {
        try {
            conn.shutdownOutput();
            in.timeouts(System.nanoTime() + LINGER_NANOS, 0);
            byte[] scratch = new byte[4096];
            long drained = 0;
            for (int n; drained < LINGER_MAX_BYTES && (n = in.read(scratch, 0, scratch.length)) >= 0; ) {
                drained += n;
            }
        } catch (IOException e) {
            HttpServer.LOG.debug("{}: lingering close of {}: {}", server.name, conn, e.toString());
        }
    }

    /** The body a handler reads: sends the interim 100 first when asked, and remembers a framing failure. */
    final class Body extends InputStream {
        /** A chunked body read whole reserves room in the server's budget this much at a time. */
        private static final int STEP = 64 * 1024;

        private final BodyInputStream framed;
        private final boolean expectContinue;
        private final long declared; // -1: chunked
        boolean continueSent;
        HttpParseException failure;
        /** Bytes of the server's {@link BodyBudget} this body holds; given back when the exchange ends. */
        private long reserved;

        Body(BodyInputStream framed, boolean expectContinue, long declared) {
            this.framed = framed;
            this.expectContinue = expectContinue;
            this.declared = declared;
        }

        /**
         * The whole body as an array, for {@link Request#body()}: first reserves its size in the
         * server's budget of buffered bodies (a chunked one step by step as it arrives), waiting for
         * room up to the body read timeout, then 503.
         */
        byte[] readAllBuffered() throws IOException {
            if (declared >= 0) {
                reserve(declared);
                return readAllBytes();
            }
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            byte[] step = new byte[8192];
            for (long room = 0; ; ) {
                if (room == 0) {
                    reserve(STEP);
                    room = STEP;
                }
                int n = read(step, 0, (int) Math.min(step.length, room));
                if (n < 0) {
                    return all.toByteArray();
                }
                all.write(step, 0, n);
                room -= n;
            }
        }

        private void reserve(long bytes) throws IOException {
            long got;
            try {
                got = server.bodies.reserve(bytes, TimeUnit.MILLISECONDS.toNanos(server.bodyReadTimeoutMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for room for a request body");
            }
            if (got < 0) {
                failure = new HttpParseException(
                        503,
                        "the server holds " + server.bodies.capacity() + " bytes of request bodies at most and had"
                                + " no room for " + bytes + " more within " + server.bodyReadTimeoutMillis
                                + " ms; try again later");
                throw failure;
            }
            reserved += got;
        }

        /** Gives back what {@link #readAllBuffered()} reserved; the exchange is over. */
        void release() {
            server.bodies.release(reserved);
            reserved = 0;
        }

        private void beforeRead() throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (expectContinue && !continueSent) {
                continueSent = true;
                conn.write(Wire.CONTINUE);
                conn.flush();
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            beforeRead();
            try {
                return framed.read(b, off, len);
            } catch (HttpParseException e) {
                failure = e;
                throw e;
            } catch (SocketTimeoutException e) {
                failure = new HttpParseException(408, "no body bytes for " + server.bodyReadTimeoutMillis + " ms");
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return framed.available();
        }
    }

    /**
     * The connection's input as an {@link InputStream} that flushes pending output and sets the socket
     * timeout before each read that would block, and can give back one byte.
     */
    private static final class Input extends InputStream {
        private final Connection c;
        private int pushback = -1;
        private long deadline; // System.nanoTime() deadline for the whole phase; 0 = none
        private int perReadMillis; // when no deadline; 0 = none
        private int currentMillis = -1;

        Input(Connection c) {
            this.c = c;
        }

        void timeouts(long deadlineNanos, int perReadMillis) {
            this.deadline = deadlineNanos;
            this.perReadMillis = perReadMillis;
        }

        int awaitFirst() throws IOException {
            int b = read();
            pushback = b;
            return b;
        }

        /**
         * Flushes, optionally yields the carrier once (see {@link HttpServer.Builder#yieldBeforeWait}),
         * then waits for one byte with only the small buffers held.
         */
        // Thread.yield is the point here: a scheduling hint, not a correctness device.
        @SuppressWarnings("ThreadPriorityCheck")
        int awaitFirstUnbuffered(boolean yieldFirst) throws IOException {
            beforeBlock();
            if (yieldFirst) {
                Thread.yield();
            }
            int b = c.readByteUnbuffered();
            pushback = b;
            return b;
        }

        private void beforeBlock() throws IOException {
            c.flush();
            int ms;
            if (deadline != 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("phase deadline passed");
                }
                ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
            } else {
                ms = perReadMillis;
            }
            if (ms != currentMillis) {
                c.readTimeout(ms == 0 ? null : Duration.ofMillis(ms));
                currentMillis = ms;
            }
        }

        @Override
        public int read() throws IOException {
            if (pushback >= 0) {
                int b = pushback;
                pushback = -1;
                return b;
            }
            if (c.available() == 0) {
                beforeBlock();
            }
            return c.readByte();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pushback >= 0) {
                b[off] = (byte) pushback;
                pushback = -1;
                return 1;
            }
            if (c.available() == 0) {
                beforeBlock();
            }
            return c.readUpTo(b, off, len);
        }

        @Override
        public int available() {
            return c.available() + (pushback >= 0 ? 1 : 0);
        }
    }
}
