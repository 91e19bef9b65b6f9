package dev.warren.net.frame;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The input side of a framed connection, shared by a {@link MessageServerImpl} session and a {@link
 * MessageClientImpl}'s reader: one read buffer that grows while the peer streams, and the {@link
 * FrameDecoder} over it. The loop around it is the caller's:
 *
 * <pre>{@code
 * for (;;) {
 *     for (ByteBuffer p; (p = input.next()) != null; ) { handle(p); }
 *     if (!input.fill(reader)) { input.endOfStream(); return; } // or the caller's own end
 * }
 * }</pre>
 *
 * <p>The buffer starts at {@value MessageServer#INITIAL_READ_BUFFER} bytes (at most {@code maxRead}) and
 * doubles, up to {@code maxRead}, each time a read fills it: a peer that streams is read in larger calls,
 * one that sends a message at a time costs a small buffer. Frames longer than the buffer are assembled by
 * the decoder. A lazy input has no buffer at all until the first bytes arrive (they are read into a
 * 64-byte scratch array first), so a connection that stays idle holds none.
 *
 * <p><b>Threading.</b> One tasklet, the connection's reader, uses it; not thread-safe, except {@link
 * #isMidFrame()}, which the reader itself calls.
 */
final class FrameInput {
    /** Reads up to {@code len} bytes into {@code b[0..len)}; the count, or -1 at end of stream. */
    @FunctionalInterface
    interface Reader {
        int read(byte[] b, int len) throws IOException;
    }

    private static final int FIRST_READ = 64;

    private final FrameDecoder decoder;
    private final int maxRead;
    private byte[] buf;
    private ByteBuffer src;

    /**
     * @param maxRead the largest the read buffer grows to
     * @param lazy no buffer until the first bytes arrive
     */
    FrameInput(FrameFormat format, int maxRead, boolean lazy) {
        this.decoder = FrameDecoder.of(format);
        this.maxRead = maxRead;
        if (lazy) {
            this.src = ByteBuffer.allocate(0);
        } else {
            this.buf = new byte[Math.min(MessageServer.INITIAL_READ_BUFFER, maxRead)];
            this.src = ByteBuffer.wrap(buf).limit(0);
        }
    }

    /** The next whole frame's payload from what was read, or null when more must be read ({@link #fill}). */
    ByteBuffer next() throws FrameException {
        return decoder.next(src);
    }

    /** True while a frame has begun and not ended: bytes of it are still to come. */
    boolean isMidFrame() {
        return decoder.isMidFrame();
    }

    /** At end of stream: throws if it cut a frame. */
    void endOfStream() throws FrameException {
        decoder.endOfStream();
    }

    /**
     * Reads once from {@code reader}, after {@link #next()} returned null; false at end of stream.
     */
    boolean fill(Reader reader) throws IOException {
        if (buf == null) {
            byte[] scratch = new byte[FIRST_READ];
            int n = reader.read(scratch, FIRST_READ);
            if (n < 0) {
                return false;
            }
            buf = new byte[Math.min(MessageServer.INITIAL_READ_BUFFER, maxRead)];
            System.arraycopy(scratch, 0, buf, 0, n);
            src = ByteBuffer.wrap(buf).limit(n);
            return true;
        }
        if (src.limit() == buf.length && buf.length < maxRead) {
            // The last read filled the buffer: the peer is streaming, read more per call.
            buf = new byte[Math.min(maxRead, buf.length * 2)];
            src = ByteBuffer.wrap(buf);
        }
        int n = reader.read(buf, buf.length);
        if (n < 0) {
            return false;
        }
        src.limit(n).position(0);
        return true;
    }
}
