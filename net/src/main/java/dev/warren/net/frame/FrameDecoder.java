package dev.warren.net.frame;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Cuts frames out of bytes that arrive in arbitrary pieces: a frame may be split at any byte, and one
 * piece may hold many frames.
 *
 * <pre>{@code
 * while (channel.read(buf) >= 0) {
 *     buf.flip();
 *     ByteBuffer payload;
 *     while ((payload = decoder.next(buf)) != null) {
 *         handle(payload);
 *     }
 *     buf.clear();            // next() returned null: every byte of buf was consumed
 * }
 * decoder.endOfStream();      // throws TRUNCATED if the peer stopped mid-frame
 * }</pre>
 *
 * <p><b>Ownership.</b> {@link #next} returns a view owned by the decoder, never a copy. When the whole
 * frame lies in the source buffer, the view shares the source's content (no bytes are copied);
 * otherwise the frame was assembled in the decoder's own buffer and the view shows that. Either way the
 * view is valid only until the next call on this decoder, and the source's bytes must not be
 * overwritten while it is in use. The caller may read the view and move its position and limit; to
 * keep the payload, copy it. In steady state {@code next} allocates nothing: the view objects are
 * reused while the source buffer stays the same object.
 *
 * <p><b>Memory.</b> The assembly buffer is allocated on the first frame that arrives split, sized to
 * that frame, and grows (never beyond {@code maxMessageSize}) as larger split frames arrive.
 *
 * <p><b>Errors.</b> A bad header throws {@link FrameException}; the framing is then lost and the
 * decoder is dead: every later call throws {@link IllegalStateException}. Close the connection.
 *
 * <p><b>Threading.</b> A decoder belongs to one connection tasklet and is not thread-safe. It never
 * blocks.
 */
public final class FrameDecoder {

    private final FrameFormat format;
    private final int headerSize;
    private final byte[] header;
    private int headerFill;
    /** The payload length of the frame being assembled, or -1 while its header is incomplete. */
    private int payloadLength = -1;

    private byte[] assembly;
    private int assemblyFill;
    private FrameException failure;

    private ByteBuffer lastSource;
    private ByteBuffer sourceView;
    private ByteBuffer assemblyView;

    private FrameDecoder(FrameFormat format) {
        this.format = format;
        this.headerSize = format.headerSize();
        this.header = new byte[headerSize];
    }

    /** A decoder for {@code format}, at the start of a stream. */
    public static FrameDecoder of(FrameFormat format) {
        return new FrameDecoder(Objects.requireNonNull(format, "format"));
    }

    /** The format this decoder reads. */
    public FrameFormat format() {
        return format;
    }

    /**
     * Consumes bytes from {@code src} until a frame is complete and returns its payload, or consumes
     * all of {@code src} and returns {@code null} when no frame completes in it (the partial frame is
     * kept for the next call). After a non-null return {@code src} may hold more frames: call again.
     *
     * @return a view of the payload (see the class comment for how long it is valid), or {@code null}
     * @throws FrameException if a header is malformed, negative, or above the maximum
     * @throws IllegalStateException if an earlier call threw {@code FrameException}
     */
    public ByteBuffer next(ByteBuffer src) throws FrameException {
        checkAlive();
        if (headerFill == 0 && payloadLength < 0) {
            int remaining = src.remaining();
            if (remaining == 0) {
                return null;
            }
            if (remaining >= headerSize) {
                // Fast path: the header is whole in src, and usually the payload too.
                int pos = src.position();
                src.get(pos, header, 0, headerSize);
                int length = readHeader();
                int start = pos + headerSize;
                if (remaining - headerSize >= length) {
                    src.position(start + length);
                    return sourceView(src, start, length);
                }
                src.position(start);
                payloadLength = length;
                assemblyFill = 0;
                return assemble(src);
            }
        }
        if (payloadLength < 0) {
            int take = Math.min(headerSize - headerFill, src.remaining());
            src.get(header, headerFill, take);
            headerFill += take;
            if (headerFill < headerSize) {
                return null;
            }
            payloadLength = readHeader();
            assemblyFill = 0;
        }
        return assemble(src);
    }

    /**
     * Says the stream has ended; to be called when the source reports end of stream and {@link #next}
     * has returned {@code null}. The decoder is left at the start of a stream.
     *
     * @throws FrameException with {@link FrameException.Reason#TRUNCATED} if the stream ended inside a
     *     frame
     * @throws IllegalStateException if an earlier call threw {@code FrameException}
     */
    public void endOfStream() throws FrameException {
        checkAlive();
        if (isMidFrame()) {
            String where = payloadLength < 0
                    ? headerFill + " of " + headerSize + " header bytes"
                    : assemblyFill + " of " + payloadLength + " payload bytes";
            failure = new FrameException(FrameException.Reason.TRUNCATED, "stream ended inside a frame after " + where);
            throw failure;
        }
    }

    /** Whether part of a frame has been consumed and the rest has not arrived yet. */
    public boolean isMidFrame() {
        return headerFill > 0 || payloadLength >= 0;
    }

    /** Bytes of the current partial frame held by the decoder (header and payload). */
    public int bufferedBytes() {
        return payloadLength < 0 ? headerFill : headerSize + assemblyFill;
    }

    private ByteBuffer assemble(ByteBuffer src) {
        int length = payloadLength;
        if (assembly == null || assembly.length < length) {
            grow(length);
        }
        int take = Math.min(length - assemblyFill, src.remaining());
        src.get(assembly, assemblyFill, take);
        assemblyFill += take;
        if (assemblyFill < length) {
            return null;
        }
        headerFill = 0;
        payloadLength = -1;
        assemblyFill = 0;
        return assemblyView.limit(length).position(0);
    }

    private void grow(int length) {
        int max = format.maxMessageSize();
        int capacity = assembly == null ? length : Math.max(length, (int) Math.min(max, 2L * assembly.length));
        byte[] bigger = new byte[capacity];
        if (assemblyFill > 0) {
            System.arraycopy(assembly, 0, bigger, 0, assemblyFill);
        }
        assembly = bigger;
        assemblyView = ByteBuffer.wrap(bigger);
    }

    // Identity on purpose: the cached view belongs to this very buffer object, whatever its contents.
    @SuppressWarnings("ReferenceEquality")
    private ByteBuffer sourceView(ByteBuffer src, int start, int length) {
        if (src != lastSource) {
            lastSource = src;
            sourceView = src.duplicate();
        }
        // The source's limit can only have moved since the view was made; widen the view first.
        return sourceView.limit(src.limit()).position(start).limit(start + length);
    }

    private int readHeader() throws FrameException {
        try {
            return format.readHeader(header, 0);
        } catch (FrameException e) {
            failure = e;
            throw e;
        }
    }

    private void checkAlive() {
        if (failure != null) {
            throw new IllegalStateException("decoder already failed: " + failure.getMessage());
        }
    }
}
