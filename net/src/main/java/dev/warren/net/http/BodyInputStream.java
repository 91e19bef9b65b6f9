package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * A message body read from the connection's stream: exactly Content-Length bytes, or chunks up to the
 * last one and its trailer. Reading past the end returns -1 and leaves the next message untouched.
 * Malformed framing or a body above the limit throws {@link HttpParseException}; an early end of
 * stream too (400). Not thread-safe: read by the handler's tasklet.
 */
abstract class BodyInputStream extends InputStream {
    final InputStream src;
    long received;
    boolean finished;

    BodyInputStream(InputStream src) {
        this.src = src;
    }

    static BodyInputStream fixed(InputStream src, long length) {
        return new Fixed(src, length);
    }

    static BodyInputStream chunked(InputStream src, HttpLimits limits, HeadReader reader) {
        return new Chunked(src, limits, reader);
    }

    /** True once the whole body, trailer included, was read. */
    final boolean finished() {
        return finished;
    }

    /** The body bytes read so far. */
    final long received() {
        return received;
    }

    /** The trailer fields of a chunked body (empty otherwise, or before the end). */
    HttpHeaders trailers() {
        return HttpHeaders.empty();
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    /** Reads and discards the rest of the body; returns how many bytes were skipped. */
    final long discardRest() throws IOException {
        byte[] scratch = new byte[2048];
        long n = 0;
        for (int r; (r = read(scratch, 0, scratch.length)) >= 0; ) {
            n += r;
        }
        return n;
    }

    /** Reads the whole rest of the body into an array. */
    final byte[] readRest() throws IOException {
        return readAllBytes();
    }

    private static final class Fixed extends BodyInputStream {
        private final long length;

        Fixed(InputStream src, long length) {
            super(src);
            this.length = length;
            this.finished = length == 0;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (finished) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int want = (int) Math.min(len, length - received);
            int n = src.read(b, off, want);
            if (n < 0) {
                throw new HttpParseException(400, "body ended after " + received + " of " + length + " bytes");
            }
            received += n;
            if (received == length) {
                finished = true;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return finished ? 0 : (int) Math.min(src.available(), length - received);
        }
    }

    private static final class Chunked extends BodyInputStream {
        private static final int MAX_CHUNK_LINE = 4096;
        private final HttpLimits limits;
        private final HeadReader reader;
        private long chunkLeft; // bytes left in the current chunk
        private boolean inChunk;
        private HttpHeaders trailers = HttpHeaders.empty();

        Chunked(InputStream src, HttpLimits limits, HeadReader reader) {
            super(src);
            this.limits = limits;
            this.reader = reader;
        }

        @Override
        HttpHeaders trailers() {
            return trailers;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (finished) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (!inChunk) {
                long size = readChunkSize();
                if (size == 0) {
                    trailers = reader.readFields(src, limits.maxHeaderCount(), limits.maxHeaderBytes(), "trailer");
                    finished = true;
                    return -1;
                }
                if (size > limits.maxBodyBytes() - received) {
                    throw new HttpParseException(
                            413, "chunked body above the limit of " + limits.maxBodyBytes() + " bytes");
                }
                chunkLeft = size;
                inChunk = true;
            }
            int n = src.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new HttpParseException(400, "stream ended inside a chunk, " + chunkLeft + " bytes missing");
            }
            received += n;
            chunkLeft -= n;
            if (chunkLeft == 0) {
                if (src.read() != '\r' || src.read() != '\n') {
                    throw new HttpParseException(400, "chunk data not followed by CRLF");
                }
                inChunk = false;
            }
            return n;
        }

        private long readChunkSize() throws IOException {
            int n = reader.readLine(src, MAX_CHUNK_LINE, 400, "chunk size line", false);
            byte[] b = reader.bytes();
            long size = 0;
            int i = 0;
            int significant = 0; // hex digits after the leading zeros (RFC 9112 allows any number of those)
            for (; i < n; i++) {
                int d = b[i] < 0 ? -1 : Character.digit(b[i], 16);
                if (d < 0) {
                    break;
                }
                if (significant > 0 || d != 0) {
                    if (++significant > 15) {
                        throw new HttpParseException(
                                413, "chunk size '" + reader.text(0, Math.min(n, 40)) + "' above 15 hex digits");
                    }
                }
                size = size * 16 + d;
            }
            if (i == 0) {
                throw new HttpParseException(
                        400,
                        "chunk size line '" + reader.text(0, Math.min(n, 40)) + "' does not start with a hex digit");
            }
            // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ); extensions are ignored. White space
            // after the size is allowed only before a ';': "5 " is not a chunk size line.
            int j = i;
            while (j < n && (b[j] == ' ' || b[j] == '\t')) {
                j++;
            }
            if (j < n && b[j] != ';') {
                throw new HttpParseException(
                        400,
                        "chunk size line '" + reader.text(0, Math.min(n, 40)) + "': '" + (char) (b[j] & 0xFF)
                                + "' after the size (only ';' and a chunk extension may follow it)");
            }
            if (j == n && j > i) {
                throw new HttpParseException(
                        400,
                        "chunk size line '" + reader.text(0, Math.min(n, 40))
                                + "' ends in white space (allowed only before a ';' chunk extension)");
            }
            for (int k = j; k < n; k++) {
                int c = b[k] & 0xFF;
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw new HttpParseException(400, "illegal character (code " + c + ") in a chunk extension");
                }
            }
            return size;
        }
    }
}
