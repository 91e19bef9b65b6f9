package dev.warren.net.frame;

import java.nio.ByteBuffer;

/**
 * BuffStreams' frame header: the length as a zig-zag varint in {@code H = ceil(bitlen(M) / 8) + 1}
 * bytes, zero-padded.
 *
 * <p>The header size is BuffStreams' {@code messageSizeToBitLength}:
 * {@code math.Ceil(math.Floor(math.Log2(M)+1)/8.0) + 1}, where {@code floor(log2(M)) + 1} is the bit
 * length of M. The writer is {@code binary.PutVarint} into an H-byte zeroed slice; the reader is
 * {@code binary.Varint(header)} over all H bytes, which stops at the first byte without the
 * continuation bit. Go therefore ignores whatever follows the varint, so this reader accepts non-zero
 * padding too (and non-minimal varints such as {@code 80 00 00} for 0), while this writer always pads
 * with zeros. A varint still continuing at the last header byte makes {@code binary.Varint} return
 * {@code n == 0}, which BuffStreams rejects; so do we, as {@code MALFORMED_HEADER}.
 *
 * <p>The varint of {@code 2 * M} always fits in H bytes: it needs {@code ceil((bitlen(M) + 1) / 7)}
 * bytes, which is at most {@code ceil(bitlen(M) / 8) + 1} for every bit length 1..31.
 */
final class BuffStreamsFormat extends FrameFormat {

    BuffStreamsFormat(int maxMessageSize) {
        super(maxMessageSize, headerSizeFor(maxMessageSize));
    }

    static int headerSizeFor(int maxMessageSize) {
        int bitLength = Integer.SIZE - Integer.numberOfLeadingZeros(maxMessageSize);
        return (bitLength + 7) / 8 + 1;
    }

    @Override
    void writeHeader(int length, byte[] dst, int offset) {
        // zig-zag of a non-negative value is just a doubling; longs because 2 * length can pass 2^31
        long zigzag = (long) length << 1;
        int end = offset + headerSize();
        int i = offset;
        while (zigzag >= 0x80) {
            dst[i++] = (byte) (zigzag | 0x80);
            zigzag >>>= 7;
        }
        dst[i++] = (byte) zigzag;
        while (i < end) {
            dst[i++] = 0;
        }
    }

    @Override
    void writeHeader(int length, ByteBuffer dst) {
        long zigzag = (long) length << 1;
        int written = 1;
        while (zigzag >= 0x80) {
            dst.put((byte) (zigzag | 0x80));
            zigzag >>>= 7;
            written++;
        }
        dst.put((byte) zigzag);
        for (; written < headerSize(); written++) {
            dst.put((byte) 0);
        }
    }

    @Override
    int readHeader(byte[] header, int offset) throws FrameException {
        int h = headerSize();
        long unsigned = 0;
        int shift = 0;
        for (int i = 0; i < h; i++) {
            int b = header[offset + i] & 0xFF;
            if (b < 0x80) {
                unsigned |= (long) b << shift;
                long length = (unsigned >>> 1) ^ -(unsigned & 1);
                if (length < 0) {
                    throw new FrameException(
                            FrameException.Reason.NEGATIVE_LENGTH,
                            "frame length " + length + " is negative (header " + hex(header, offset, h) + ")");
                }
                if (length > maxMessageSize()) {
                    throw tooLarge(length);
                }
                return (int) length;
            }
            unsigned |= (long) (b & 0x7F) << shift;
            shift += 7;
        }
        throw new FrameException(
                FrameException.Reason.MALFORMED_HEADER,
                "header varint does not terminate within " + h + " bytes: " + hex(header, offset, h));
    }

    @Override
    public String toString() {
        return "buffStreams(maxMessageSize=" + maxMessageSize() + ", headerSize=" + headerSize() + ")";
    }
}
