package dev.warren.net.frame;

import static dev.warren.net.frame.Frames.header;
import static dev.warren.net.frame.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameFormatTest {

    private static final FrameFormat BS4096 = FrameFormat.buffStreams(4096);
    private static final FrameFormat BS1M = FrameFormat.buffStreams(1 << 20);
    private static final FrameFormat F32 = FrameFormat.fixed32(4096);

    @Test
    void validatesMaxMessageSizeNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameFormat.buffStreams(0));
        assertEquals("maxMessageSize must be > 0, was 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FrameFormat.fixed32(-3));
        assertEquals("maxMessageSize must be > 0, was -3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FrameFormat.fixed32(Integer.MAX_VALUE));
        assertEquals("maxMessageSize must be <= 2147483639, was 2147483647", e.getMessage());
    }

    @ParameterizedTest(name = "M = {0} -> H = {1}")
    @CsvSource({
        // M, H = ceil(bitlen(M) / 8) + 1
        "1, 2", // bitlen 1
        "255, 2", // bitlen 8
        "256, 3", // bitlen 9
        "4096, 3", // bitlen 13 (BuffStreams' default)
        "65535, 3", // bitlen 16
        "65536, 4", // bitlen 17
        "1048576, 4", // 2^20: bitlen 21
        "16777215, 4", // bitlen 24
        "16777216, 5", // bitlen 25
        "2147483639, 5", // bitlen 31
    })
    void buffStreamsHeaderSize(int max, int headerSize) {
        assertEquals(headerSize, FrameFormat.buffStreams(max).headerSize());
        assertEquals(max, FrameFormat.buffStreams(max).maxMessageSize());
        assertEquals(4, FrameFormat.fixed32(max).headerSize());
    }

    @Test
    void largestVarintFitsTheHeaderForEveryBitLength() throws FrameException {
        for (int bits = 1; bits <= 31; bits++) {
            int max = bits == 31 ? FrameFormat.MAX_MESSAGE_SIZE_LIMIT : (1 << bits) - 1;
            for (int m : new int[] {1 << (bits - 1), max}) {
                BuffStreamsFormat f = (BuffStreamsFormat) FrameFormat.buffStreams(m);
                byte[] h = new byte[f.headerSize()];
                f.writeHeader(m, h, 0);
                assertEquals(m, f.readHeader(h, 0), "M = " + m);
            }
        }
    }

    @ParameterizedTest(name = "M = 4096, length {0} -> {1}")
    @CsvSource({
        // length, header: zig-zag z = 2 * length, varint = 7-bit groups low first, 0x80 = "more"
        "0,    00 00 00", // z = 0
        "1,    02 00 00", // z = 2
        "63,   7E 00 00", // z = 126 < 128: one byte
        "64,   80 01 00", // z = 128 = 1 * 128 + 0: 0x80|0, 1
        "110,  DC 01 00", // z = 220 = 1 * 128 + 92: 0x80|0x5C, 1
        "127,  FE 01 00", // z = 254 = 1 * 128 + 126: 0x80|0x7E, 1
        "128,  80 02 00", // z = 256 = 2 * 128 + 0: 0x80|0, 2
        "4095, FE 3F 00", // z = 8190 = 63 * 128 + 126: 0x80|0x7E, 0x3F
        "4096, 80 40 00", // z = 8192 = 64 * 128 + 0: 0x80|0, 0x40
    })
    void buffStreamsHeaderVectors(int length, String expected) throws FrameException {
        assertEquals(expected, hex(header(BS4096, length)));
        assertEquals(length, BS4096.readHeader(Frames.hex(expected), 0));
    }

    @ParameterizedTest(name = "M = 2^20, length {0} -> {1}")
    @CsvSource({
        // H = ceil(21 / 8) + 1 = 4
        "0,       00 00 00 00",
        "110,     DC 01 00 00",
        "8192,    80 80 01 00", // z = 16384 = 1 * 128^2: 0x80, 0x80, 1
        "1048575, FE FF 7F 00", // z = 2097150 = 127 * 128^2 + 127 * 128 + 126
        "1048576, 80 80 80 01", // z = 2097152 = 2^21 = 1 * 128^3: fills all four bytes
    })
    void buffStreamsHeaderVectorsLargeMax(int length, String expected) throws FrameException {
        assertEquals(4, BS1M.headerSize());
        assertEquals(expected, hex(header(BS1M, length)));
        assertEquals(length, BS1M.readHeader(Frames.hex(expected), 0));
    }

    @ParameterizedTest(name = "fixed32 length {0} -> {1}")
    @CsvSource({
        "0,    00 00 00 00",
        "1,    00 00 00 01",
        "110,  00 00 00 6E",
        "4096, 00 00 10 00",
    })
    void fixed32HeaderVectors(int length, String expected) throws FrameException {
        assertEquals(expected, hex(header(F32, length)));
        assertEquals(length, F32.readHeader(Frames.hex(expected), 0));
    }

    @Test
    void fixed32IsBigEndianForLargeLengths() {
        assertEquals("01 02 03 04", hex(header(FrameFormat.fixed32(0x7FFFFFF0), 0x01020304)));
    }

    @Test
    void buffStreamsReaderAcceptsWhatGoVarintAccepts() throws FrameException {
        // binary.Varint stops at the first byte without 0x80 and ignores the rest of the header.
        assertEquals(110, BS4096.readHeader(Frames.hex("DC 01 FF"), 0));
        assertEquals(1, BS4096.readHeader(Frames.hex("02 AB CD"), 0));
        // non-minimal varints decode too
        assertEquals(0, BS4096.readHeader(Frames.hex("80 80 00"), 0));
        assertEquals(64, BS4096.readHeader(Frames.hex("80 81 00"), 0));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "bs4096 | 82 40 00    | TOO_LARGE        | frame length 4097 exceeds the maximum 4096",
                "bs4096 | 90 4E 00    | TOO_LARGE        | frame length 5000 exceeds the maximum 4096",
                "bs4096 | FE FF 7F    | TOO_LARGE        | frame length 1048575 exceeds the maximum 4096",
                "bs4096 | 01 00 00    | NEGATIVE_LENGTH  | frame length -1 is negative (header 01 00 00)",
                "bs4096 | 09 00 00    | NEGATIVE_LENGTH  | frame length -5 is negative (header 09 00 00)",
                "bs4096 | FF FF 7F    | NEGATIVE_LENGTH  | frame length -1048576 is negative (header FF FF 7F)",
                "bs4096 | FF FF FF    | MALFORMED_HEADER | header varint does not terminate within 3 bytes: FF FF FF",
                "bs4096 | 80 80 80    | MALFORMED_HEADER | header varint does not terminate within 3 bytes: 80 80 80",
                "bs1m   | 80 80 80 80 | MALFORMED_HEADER | header varint does not terminate within 4 bytes: 80 80 80 80",
                "bs1m   | 82 80 80 01 | TOO_LARGE        | frame length 1048577 exceeds the maximum 1048576",
                "f32    | 00 00 10 01 | TOO_LARGE        | frame length 4097 exceeds the maximum 4096",
                "f32    | 80 00 00 00 | TOO_LARGE        | frame length 2147483648 exceeds the maximum 4096",
                "f32    | FF FF FF FF | TOO_LARGE        | frame length 4294967295 exceeds the maximum 4096",
            })
    void malformedHeaders(String formatName, String header, FrameException.Reason reason, String message) {
        FrameFormat format = switch (formatName) {
            case "bs4096" -> BS4096;
            case "bs1m" -> BS1M;
            default -> F32;
        };
        FrameException e = assertThrows(FrameException.class, () -> format.readHeader(Frames.hex(header), 0));
        assertEquals(reason, e.reason());
        assertEquals(message, e.getMessage());
    }

    @Test
    void encodeRejectsOversizedPayloadNamingTheSize() {
        ByteBuffer dst = ByteBuffer.allocate(10_000);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BS4096.encode(new byte[4097], dst));
        assertEquals("payload of 4097 bytes exceeds the maximum message size 4096", e.getMessage());
        assertEquals(0, dst.position());
        assertThrows(IllegalArgumentException.class, () -> F32.encode(ByteBuffer.allocate(5000), dst));
        assertThrows(IllegalArgumentException.class, () -> F32.frameSize(-1));
    }

    @Test
    void encodeIntoFullBufferWritesNothing() {
        ByteBuffer dst = ByteBuffer.allocate(112);
        assertThrows(BufferOverflowException.class, () -> BS4096.encode(new byte[110], dst));
        assertEquals(0, dst.position());
        BS4096.encode(new byte[109], dst);
        assertEquals(112, dst.position());
    }

    @Test
    void encodeIntoDirectBufferAndFromByteBuffer() {
        ByteBuffer dst = ByteBuffer.allocateDirect(200);
        ByteBuffer payload = ByteBuffer.wrap(Frames.payload(110, 5));
        BS4096.encode(payload, dst);
        assertTrue(!payload.hasRemaining());
        dst.flip();
        byte[] all = new byte[dst.remaining()];
        dst.get(all);
        assertEquals("DC 01 00", hex(java.util.Arrays.copyOf(all, 3)));
        assertArrayEquals(Frames.payload(110, 5), java.util.Arrays.copyOfRange(all, 3, 113));
    }

    @Test
    void directLittleEndianBufferGetsTheSameBytesAsHeap() {
        for (FrameFormat format : new FrameFormat[] {BS4096, BS1M, F32}) {
            for (int length : new int[] {0, 1, 110, 4096}) {
                ByteBuffer heap = ByteBuffer.allocate(format.frameSize(length));
                ByteBuffer direct =
                        ByteBuffer.allocateDirect(format.frameSize(length)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                byte[] p = Frames.payload(length, 3);
                format.encode(p, heap);
                format.encode(p, direct);
                assertEquals(heap.position(), direct.position());
                assertEquals(heap.flip(), direct.flip(), format + " length " + length);
            }
        }
    }

    @Test
    void valueSemantics() {
        assertEquals(FrameFormat.buffStreams(4096), BS4096);
        assertEquals(FrameFormat.buffStreams(4096).hashCode(), BS4096.hashCode());
        assertNotEquals(FrameFormat.fixed32(4096), BS4096);
        assertNotEquals(FrameFormat.fixed32(4097), F32);
        assertEquals("buffStreams(maxMessageSize=4096, headerSize=3)", BS4096.toString());
        assertEquals("fixed32(maxMessageSize=4096)", F32.toString());
    }
}
