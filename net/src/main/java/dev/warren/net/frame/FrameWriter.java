package dev.warren.net.frame;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Writes frames to an {@link OutputStream} through a buffer, so many frames leave in one write.
 *
 * <p>{@code write} only copies the frame into the buffer; the stream is written when the buffer cannot
 * take the next frame, and on {@link #flush()}. Nothing is sent until then: a request/response peer
 * must flush after each batch it wants answered. A frame larger than the whole buffer goes out
 * in two writes: the buffer topped up with its start, then the rest of the payload straight from the
 * caller's array.
 *
 * <p><b>Ownership.</b> The writer never keeps a reference to a payload after {@code write} returns.
 * It owns the stream: {@link #close()} flushes and closes it.
 *
 * <p><b>Errors.</b> A payload above the maximum is the caller's bug: {@code IllegalArgumentException},
 * and nothing is written. A failure of the stream propagates as its {@link IOException}; the frames
 * still buffered are then lost and the writer must be closed.
 *
 * <p><b>Threading.</b> A writer belongs to one connection tasklet and is not thread-safe; tasklets that
 * share a connection hand their messages to its writing tasklet (through a channel, for instance).
 * {@code write} and {@code flush} block while the stream does; they hold no lock meanwhile.
 */
public final class FrameWriter implements Closeable, Flushable {

    /** The default buffer size: 64 KiB is about 500 frames of 110 bytes per syscall. */
    public static final int DEFAULT_BUFFER_SIZE = 65536;

    private final OutputStream out;
    private final FrameFormat format;
    private final int headerSize;
    private final byte[] buffer;
    private int fill;
    private long bytesWritten;

    private FrameWriter(OutputStream out, FrameFormat format, int bufferSize) {
        this.out = out;
        this.format = format;
        this.headerSize = format.headerSize();
        this.buffer = new byte[bufferSize];
    }

    /** A writer of {@code format} frames to {@code out}, with a {@value #DEFAULT_BUFFER_SIZE}-byte buffer. */
    public static FrameWriter of(OutputStream out, FrameFormat format) {
        return of(out, format, DEFAULT_BUFFER_SIZE);
    }

    /**
     * A writer of {@code format} frames to {@code out} with a buffer of {@code bufferSize} bytes.
     *
     * @throws IllegalArgumentException if {@code bufferSize} is smaller than the format's header
     */
    public static FrameWriter of(OutputStream out, FrameFormat format, int bufferSize) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(format, "format");
        if (bufferSize < format.headerSize()) {
            throw new IllegalArgumentException(
                    "bufferSize must be >= the header size " + format.headerSize() + ", was " + bufferSize);
        }
        return new FrameWriter(out, format, bufferSize);
    }

    /**
     * Buffers one frame carrying {@code payload}.
     *
     * @throws IllegalArgumentException if the payload is longer than the format's maximum
     * @throws IOException if the buffer had to be written and the stream failed
     */
    public void write(byte[] payload) throws IOException {
        write(payload, 0, payload.length);
    }

    /**
     * Buffers one frame carrying {@code payload[offset .. offset+length)}.
     *
     * @throws IllegalArgumentException if {@code length} is longer than the format's maximum
     * @throws IndexOutOfBoundsException if the range is outside {@code payload}
     * @throws IOException if the buffer had to be written and the stream failed
     */
    public void write(byte[] payload, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, payload.length);
        format.checkPayload(length);
        makeRoom(headerSize + length);
        format.writeHeader(length, buffer, fill);
        fill += headerSize;
        if (length <= buffer.length - fill) {
            System.arraycopy(payload, offset, buffer, fill, length);
            fill += length;
            return;
        }
        int head = buffer.length - fill;
        System.arraycopy(payload, offset, buffer, fill, head);
        fill += head;
        drain();
        out.write(payload, offset + head, length - head);
        bytesWritten += length - head;
    }

    /**
     * Buffers one frame carrying {@code payload}'s remaining bytes, and consumes them.
     *
     * @throws IllegalArgumentException if the payload is longer than the format's maximum
     * @throws IOException if the buffer had to be written and the stream failed
     */
    public void write(ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        if (payload.hasArray()) {
            write(payload.array(), payload.arrayOffset() + payload.position(), length);
            payload.position(payload.limit());
            return;
        }
        format.checkPayload(length);
        makeRoom(headerSize + length);
        format.writeHeader(length, buffer, fill);
        fill += headerSize;
        while (payload.hasRemaining()) {
            int take = Math.min(payload.remaining(), buffer.length - fill);
            payload.get(buffer, fill, take);
            fill += take;
            if (fill == buffer.length) {
                drain();
            }
        }
    }

    /** Bytes buffered and not yet written to the stream. */
    public int buffered() {
        return fill;
    }

    /** Bytes handed to the stream so far, headers included. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** The format this writer writes. */
    public FrameFormat format() {
        return format;
    }

    /** Writes every buffered frame to the stream in one write, then flushes the stream. */
    @Override
    public void flush() throws IOException {
        drain();
        out.flush();
    }

    /** Flushes, then closes the stream (even if the flush failed). */
    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            out.close();
        }
    }

    /**
     * Drains the buffer unless it can take a frame of {@code frame} bytes whole, or, for a frame
     * larger than the whole buffer, at least its header (the rest then streams through).
     */
    private void makeRoom(int frame) throws IOException {
        int room = buffer.length - fill;
        if (frame > buffer.length ? room < headerSize : frame > room) {
            drain();
        }
    }

    private void drain() throws IOException {
        if (fill > 0) {
            int n = fill;
            // Reset first: if the stream fails, these bytes are gone either way.
            fill = 0;
            out.write(buffer, 0, n);
            bytesWritten += n;
        }
    }
}
