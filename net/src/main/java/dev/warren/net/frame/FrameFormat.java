package dev.warren.net.frame;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A length-prefixed wire format: every frame is a fixed-size header holding the payload length,
 * followed by the payload. Two formats exist, each bounded by a maximum message size {@code M}:
 *
 * <ul>
 *   <li>{@link #buffStreams(int)}: compatible with the Go library BuffStreams. The header is
 *       {@code H = ceil(bitlen(M) / 8) + 1} bytes holding the length as a zig-zag signed varint,
 *       exactly as Go's {@code binary.PutVarint} writes it, then zero bytes up to {@code H}.
 *       M = 4096 gives H = 3, and a 110-byte payload gets the header {@code DC 01 00}.
 *   <li>{@link #fixed32(int)}: a 4-byte big-endian length, what Netty's
 *       {@code LengthFieldBasedFrameDecoder(max, 0, 4, 0, 4)} reads.
 * </ul>
 *
 * <p>A format is an immutable value: any tasklet may use one at any time, and one instance may serve
 * every connection. Frames are read with a {@link FrameDecoder} (bytes arriving in pieces) or a
 * {@link FrameReader} (blocking, from an {@code InputStream}), and written with {@link #encode} or a
 * {@link FrameWriter}. Two formats are equal when they have the same kind and maximum.
 */
public abstract sealed class FrameFormat permits BuffStreamsFormat, Fixed32Format {

    /** The largest maximum message size: a whole frame must still fit in one Java array. */
    public static final int MAX_MESSAGE_SIZE_LIMIT = Integer.MAX_VALUE - 8;

    private final int maxMessageSize;
    private final int headerSize;

    FrameFormat(int maxMessageSize, int headerSize) {
        this.maxMessageSize = maxMessageSize;
        this.headerSize = headerSize;
    }

    /**
     * The BuffStreams-compatible format for messages of at most {@code maxMessageSize} bytes.
     *
     * <p>Both peers must agree on the maximum: it fixes the header size. A Go peer uses the same
     * {@code MaxMessageSize} in its {@code TCPListenerConfig} / {@code TCPConnConfig}.
     *
     * @throws IllegalArgumentException if {@code maxMessageSize} is not in 1..{@link #MAX_MESSAGE_SIZE_LIMIT}
     */
    public static FrameFormat buffStreams(int maxMessageSize) {
        return new BuffStreamsFormat(checkMax(maxMessageSize));
    }

    /**
     * The fixed 4-byte big-endian length format for messages of at most {@code maxMessageSize} bytes.
     *
     * <p>A Netty peer reads it with {@code LengthFieldBasedFrameDecoder(maxMessageSize + 4, 0, 4, 0, 4)}:
     * Netty's limit counts the 4 header bytes, ours counts only the payload.
     *
     * @throws IllegalArgumentException if {@code maxMessageSize} is not in 1..{@link #MAX_MESSAGE_SIZE_LIMIT}
     */
    public static FrameFormat fixed32(int maxMessageSize) {
        return new Fixed32Format(checkMax(maxMessageSize));
    }

    private static int checkMax(int maxMessageSize) {
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be > 0, was " + maxMessageSize);
        }
        if (maxMessageSize > MAX_MESSAGE_SIZE_LIMIT) {
            throw new IllegalArgumentException(
                    "maxMessageSize must be <= " + MAX_MESSAGE_SIZE_LIMIT + ", was " + maxMessageSize);
        }
        return maxMessageSize;
    }

    /** The number of header bytes before every payload. */
    public final int headerSize() {
        return headerSize;
    }

    /** The largest payload, in bytes, this format writes or accepts. */
    public final int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * The encoded size of a frame carrying {@code payloadLength} bytes: header plus payload.
     *
     * @throws IllegalArgumentException if {@code payloadLength} is negative or above the maximum
     */
    public final int frameSize(int payloadLength) {
        checkPayload(payloadLength);
        return headerSize + payloadLength;
    }

    /**
     * Writes one frame (header, then {@code payload}) at {@code dst}'s position and advances it.
     *
     * @throws IllegalArgumentException if the payload is longer than {@link #maxMessageSize()}
     * @throws BufferOverflowException if {@code dst} has fewer than {@link #frameSize} bytes remaining;
     *     then nothing is written
     */
    public final void encode(byte[] payload, ByteBuffer dst) {
        encode(payload, 0, payload.length, dst);
    }

    /**
     * Writes one frame carrying {@code payload[offset .. offset+length)} at {@code dst}'s position and
     * advances it.
     *
     * @throws IllegalArgumentException if {@code length} is longer than {@link #maxMessageSize()}
     * @throws IndexOutOfBoundsException if the range is outside {@code payload}
     * @throws BufferOverflowException if {@code dst} has fewer than {@link #frameSize} bytes remaining;
     *     then nothing is written
     */
    public final void encode(byte[] payload, int offset, int length, ByteBuffer dst) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        checkPayload(length);
        if (dst.remaining() < headerSize + length) {
            throw new BufferOverflowException();
        }
        putHeader(length, dst);
        dst.put(payload, offset, length);
    }

    /**
     * Writes one frame carrying {@code payload}'s remaining bytes at {@code dst}'s position, advancing
     * both buffers.
     *
     * @throws IllegalArgumentException if the payload is longer than {@link #maxMessageSize()}
     * @throws BufferOverflowException if {@code dst} has fewer than {@link #frameSize} bytes remaining;
     *     then nothing is written or consumed
     */
    public final void encode(ByteBuffer payload, ByteBuffer dst) {
        int length = payload.remaining();
        checkPayload(length);
        if (dst.remaining() < headerSize + length) {
            throw new BufferOverflowException();
        }
        putHeader(length, dst);
        dst.put(payload);
    }

    private void putHeader(int length, ByteBuffer dst) {
        if (dst.hasArray()) {
            int pos = dst.position();
            writeHeader(length, dst.array(), dst.arrayOffset() + pos);
            dst.position(pos + headerSize);
        } else {
            writeHeader(length, dst);
        }
    }

    final void checkPayload(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("payload length must be >= 0, was " + length);
        }
        if (length > maxMessageSize) {
            throw new IllegalArgumentException(
                    "payload of " + length + " bytes exceeds the maximum message size " + maxMessageSize);
        }
    }

    /**
     * Writes exactly {@link #headerSize()} bytes announcing {@code length} at {@code dst[offset]}.
     * The caller has checked {@code 0 <= length <= maxMessageSize} and that the bytes fit.
     */
    abstract void writeHeader(int length, byte[] dst, int offset);

    /** Like {@link #writeHeader(int, byte[], int)}, at {@code dst}'s position, for buffers without an array. */
    abstract void writeHeader(int length, ByteBuffer dst);

    /**
     * Decodes the {@link #headerSize()} bytes at {@code header[offset]} into a payload length in
     * {@code 0..maxMessageSize}.
     *
     * @throws FrameException if the header is malformed, negative or above the maximum
     */
    abstract int readHeader(byte[] header, int offset) throws FrameException;

    final FrameException tooLarge(long length) {
        return new FrameException(
                FrameException.Reason.TOO_LARGE, "frame length " + length + " exceeds the maximum " + maxMessageSize);
    }

    static String hex(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            int b = bytes[offset + i] & 0xFF;
            sb.append(Character.toUpperCase(Character.forDigit(b >>> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
        }
        return sb.toString();
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof FrameFormat other
                && other.getClass() == getClass()
                && other.maxMessageSize == maxMessageSize;
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode() * 31 + maxMessageSize;
    }
}
