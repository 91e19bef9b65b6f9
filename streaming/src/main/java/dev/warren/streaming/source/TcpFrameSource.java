package dev.warren.streaming.source;

import dev.warren.net.Connection;
import dev.warren.net.ListenerOptions;
import dev.warren.net.TcpServer;
import dev.warren.net.TcpServerStats;
import dev.warren.net.frame.FrameException;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.FrameReader;
import dev.warren.streaming.Emitter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A source of framed messages received over TCP, built on {@link TcpServer} and
 * {@link FrameReader}: every frame of a {@link FrameFormat} is one record, its payload decoded as UTF-8
 * (one {@code KEY [VALUE [TIMESTAMP_MS]]} line for {@link dev.warren.streaming.KeyValue#parse}). Made by
 * {@link Sources#tcpFrames}.
 *
 * <p>Each connection is read by its own tasklet of the server, which hands what it decoded to the job in
 * batches of up to 128 records (one inbox message per shard), before it waits for more input. A payload
 * longer than the maximum line length is rejected (a counted parse error), as by the UDP source. A bad
 * frame stream (a length above the
 * format's maximum, a malformed header, a connection ending inside a frame) is counted as a parse error
 * with the reason, and closes that one connection as a protocol error; the server goes on. A payload
 * that does not parse is a parse error as for any source.
 *
 * <p>The listening socket is bound when the job starts the source; {@link #awaitPort} waits for that. At
 * shutdown the server stops accepting and lets open connections finish for the drain timeout (what
 * their peers already sent is still read and routed), then closes them.
 *
 * <p><b>Threading.</b> Every public method may be called from any thread. Under
 * {@link dev.warren.streaming.Backpressure#BLOCK} a full shard makes the connection's tasklet wait, which
 * stops reading and so pushes back on the sender through TCP flow control.
 */
public final class TcpFrameSource extends BoundSource {
    private final FrameFormat format;
    private final int maxLine;
    private volatile TcpServer server;
    private volatile TcpServerStats lastStats;

    TcpFrameSource(ListenerOptions listener, FrameFormat format, int maxLine) {
        super("TCP source", listener);
        this.format = format;
        this.maxLine = maxLine;
    }

    @Override
    int boundPort() {
        return server.port();
    }

    /** The drain timeout and 10 s: the server lets open connections finish first. */
    @Override
    Duration closeWait() {
        return listener.drainTimeout().plusSeconds(10);
    }

    @Override
    public void run(Emitter<String> out) throws Exception {
        TcpServer.Builder b = TcpServer.builder().listener(listener).handler(conn -> serve(conn, out));
        TcpServer srv;
        try {
            srv = b.start();
        } catch (RuntimeException e) {
            bindFailed(e);
            throw e;
        }
        server = srv;
        bound();
        try {
            awaitCloseRequest();
        } finally {
            srv.close();
            lastStats = srv.stats();
            finished();
        }
    }

    private void serve(Connection conn, Emitter<String> out) throws Exception {
        Batcher batch = new Batcher(out, maxLine);
        // What is decoded goes to the job in one batch before the tasklet waits for more input: a burst
        // costs one inbox message per shard, a lone message waits for nothing.
        InputStream in = new FilterInputStream(conn.inputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (super.available() == 0) {
                    try {
                        batch.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while handing records to the job");
                    }
                }
                return super.read(b, off, len);
            }
        };
        FrameReader reader = FrameReader.of(in, format);
        try {
            for (; ; ) {
                ByteBuffer payload;
                try {
                    payload = reader.readView();
                } catch (FrameException bad) {
                    batch.flush(); // the good frames before the bad one still count
                    out.reject(
                            conn.remoteAddress().toString(), "bad frame (" + bad.reason() + "): " + bad.getMessage());
                    throw conn.protocolError(bad.getMessage());
                }
                if (payload == null) {
                    return;
                }
                batch.add(StandardCharsets.UTF_8.decode(payload).toString());
            }
        } finally {
            batch.flush();
        }
    }

    /** The server's counters now (the last ones once closed), or null before it is bound. */
    public TcpServerStats serverStats() {
        TcpServerStats last = lastStats;
        if (last != null) {
            return last;
        }
        TcpServer s = server;
        return s == null ? null : s.stats();
    }

    @Override
    public String toString() {
        return "TcpFrameSource[" + name + ", " + format + "]";
    }
}
