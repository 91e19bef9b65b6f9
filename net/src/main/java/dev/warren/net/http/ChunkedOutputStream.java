package dev.warren.net.http;

import dev.warren.net.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The stream a {@link Response.BodyWriter} writes to: buffers up to 4 KiB, then writes a chunk into the
 * connection's buffer; {@link #flush()} sends what was written. For an HTTP/1.0 peer (no chunking) the
 * bytes go out as they are and the connection's close ends the body.
 */
final class ChunkedOutputStream extends OutputStream {
    private final Connection conn;
    private final boolean chunked;
    /** The body's length as declared in {@code Content-Length}, or -1 (chunked, or ended by the close). */
    private final long declared;

    private long written;
    private final byte[] buf = new byte[4096];
    private int n;
    private boolean finished;
    /** The first failure of the connection itself (the peer reset or went away), as opposed to the writer's own. */
    private IOException connectionFailure;

    ChunkedOutputStream(Connection conn, boolean chunked) {
        this(conn, chunked, -1);
    }

    /** A body of exactly {@code declared} bytes (-1: any), raw when not {@code chunked}. */
    ChunkedOutputStream(Connection conn, boolean chunked, long declared) {
        this.conn = conn;
        this.chunked = chunked;
        this.declared = declared;
    }

    @Override
    public void write(int b) throws IOException {
        check();
        count(1);
        if (n == buf.length) {
            emit(buf, 0, n);
            n = 0;
        }
        buf[n++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        check();
        count(len);
        if (len <= buf.length - n) {
            System.arraycopy(b, off, buf, n, len);
            n += len;
            return;
        }
        if (n > 0) {
            emit(buf, 0, n);
            n = 0;
        }
        if (len >= buf.length) {
            emit(b, off, len);
        } else {
            System.arraycopy(b, off, buf, 0, len);
            n = len;
        }
    }

    private void count(int len) throws IOException {
        written += len;
        if (declared >= 0 && written > declared) {
            throw new IOException("the body writer wrote more than the " + declared + " bytes it declared");
        }
    }

    private void check() throws IOException {
        if (finished) {
            throw new IOException("the response body is complete; no more writes");
        }
    }

    private void emit(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        try {
            if (chunked) {
                conn.write(Integer.toHexString(len).getBytes(StandardCharsets.ISO_8859_1));
                conn.write(Wire.CRLF);
                conn.write(b, off, len);
                conn.write(Wire.CRLF);
            } else {
                conn.write(b, off, len);
            }
        } catch (IOException e) {
            throw connectionFailed(e);
        }
    }

    private IOException connectionFailed(IOException e) {
        if (connectionFailure == null) {
            connectionFailure = e;
        }
        return e;
    }

    /** The exception with which the connection itself failed under this stream, or null. */
    IOException connectionFailure() {
        return connectionFailure;
    }

    @Override
    public void flush() throws IOException {
        if (finished) {
            return;
        }
        emit(buf, 0, n);
        n = 0;
        try {
            conn.flush();
        } catch (IOException e) {
            throw connectionFailed(e);
        }
    }

    /** Does nothing: the server ends the body when the writer returns. */
    @Override
    public void close() {}

    /** Writes what is buffered and the last chunk (not flushed). */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        if (declared >= 0 && written != declared) {
            throw new IOException("the body writer wrote " + written + " of the " + declared + " bytes it declared");
        }
        emit(buf, 0, n);
        n = 0;
        if (chunked) {
            try {
                conn.write(Wire.LAST_CHUNK);
            } catch (IOException e) {
                throw connectionFailed(e);
            }
        }
        finished = true;
    }
}
