package dev.warren.net.frame;

import java.nio.ByteBuffer;

/**
 * A 4-byte big-endian length header. The length is read as unsigned, as Netty's
 * {@code LengthFieldBasedFrameDecoder} reads a 4-byte field, so a header with its top bit set is a
 * length above 2^31 ({@code TOO_LARGE}), never a negative one.
 */
final class Fixed32Format extends FrameFormat {

    Fixed32Format(int maxMessageSize) {
        super(maxMessageSize, 4);
    }

    @Override
    void writeHeader(int length, byte[] dst, int offset) {
        dst[offset] = (byte) (length >>> 24);
        dst[offset + 1] = (byte) (length >>> 16);
        dst[offset + 2] = (byte) (length >>> 8);
        dst[offset + 3] = (byte) length;
    }

    @Override
    void writeHeader(int length, ByteBuffer dst) {
        // Byte by byte: putInt would follow the caller's byte order, which may be little-endian.
        dst.put((byte) (length >>> 24))
                .put((byte) (length >>> 16))
                .put((byte) (length >>> 8))
                .put((byte) length);
    }

    @Override
    int readHeader(byte[] header, int offset) throws FrameException {
        long length = (header[offset] & 0xFFL) << 24
                | (header[offset + 1] & 0xFF) << 16
                | (header[offset + 2] & 0xFF) << 8
                | (header[offset + 3] & 0xFF);
        if (length > maxMessageSize()) {
            throw tooLarge(length);
        }
        return (int) length;
    }

    @Override
    public String toString() {
        return "fixed32(maxMessageSize=" + maxMessageSize() + ")";
    }
}
