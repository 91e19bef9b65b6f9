package dev.warren.net.frame;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads frames from an {@link InputStream}, blocking until each one is complete.
 *
 * <p>The reader does its own buffering (do not wrap the stream in a {@code BufferedInputStream}): each
 * {@code read} on the stream asks for as many bytes as the buffer holds, so one syscall brings in every
 * frame a pipelining peer has sent, and later frames are served from memory.
 *
 * <p><b>Ownership.</b> {@link #read()} returns a fresh array the caller owns. {@link #readView()} copies
 * nothing and returns a view owned by the reader, valid until the next call on this reader (see
 * {@link FrameDecoder}). The reader owns the stream: {@link #close()} closes it.
 *
 * <p><b>Errors.</b> A bad frame or a stream ending inside a frame throws {@link FrameException}; any
 * other failure of the stream propagates as the {@link IOException} it threw. After either, the framing
 * is lost: close the reader.
 *
 * <p><b>Threading.</b> A reader belongs to one connection tasklet and is not thread-safe. Both read
 * methods block in the stream's {@code read}; they hold no lock while blocked, so they never pin a
 * carrier thread.
 */
public final class FrameReader implements Closeable {

    /** The default buffer size: room for many small frames per syscall at a modest per-connection cost. */
    public static final int DEFAULT_BUFFER_SIZE = 8192;

    private final InputStream in;
    private final FrameDecoder decoder;
    private final byte[] buffer;
    private final ByteBuffer pending;
    private long bytesRead;

    private FrameReader(InputStream in, FrameFormat format, int bufferSize) {
        this.in = in;
        this.decoder = FrameDecoder.of(format);
        this.buffer = new byte[bufferSize];
        this.pending = ByteBuffer.wrap(buffer).limit(0);
    }

    /** A reader of {@code format} frames from {@code in}, with a {@value #DEFAULT_BUFFER_SIZE}-byte buffer. */
    public static FrameReader of(InputStream in, FrameFormat format) {
        return of(in, format, DEFAULT_BUFFER_SIZE);
    }

    /**
     * A reader of {@code format} frames from {@code in} with a buffer of {@code bufferSize} bytes.
     * Frames larger than the buffer are still read; they are assembled in the decoder.
     *
     * @throws IllegalArgumentException if {@code bufferSize} is not positive
     */
    public static FrameReader of(InputStream in, FrameFormat format, int bufferSize) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(format, "format");
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0, was " + bufferSize);
        }
        return new FrameReader(in, format, bufferSize);
    }

    /**
     * Blocks until the next frame is complete and returns a copy of its payload.
     *
     * @return the payload, owned by the caller, or {@code null} if the stream ended cleanly between
     *     frames
     * @throws FrameException if a header is bad or the stream ended inside a frame
     * @throws IOException if the stream failed
     */
    public byte[] read() throws IOException {
        ByteBuffer view = readView();
        if (view == null) {
            return null;
        }
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        return copy;
    }

    /**
     * Blocks until the next frame is complete and returns a view of its payload, copying nothing.
     *
     * @return the payload, valid until the next call on this reader, or {@code null} if the stream
     *     ended cleanly between frames
     * @throws FrameException if a header is bad or the stream ended inside a frame
     * @throws IOException if the stream failed
     */
    public ByteBuffer readView() throws IOException {
        while (true) {
            ByteBuffer payload = decoder.next(pending);
            if (payload != null) {
                return payload;
            }
            // next() returned null, so every pending byte is consumed: the whole buffer is free again.
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                decoder.endOfStream();
                return null;
            }
            bytesRead += n;
            pending.limit(n).position(0);
        }
    }

    /** Bytes read from the stream so far, headers included. */
    public long bytesRead() {
        return bytesRead;
    }

    /** The format this reader reads. */
    public FrameFormat format() {
        return decoder.format();
    }

    /** Closes the stream. */
    @Override
    public void close() throws IOException {
        in.close();
    }
}
