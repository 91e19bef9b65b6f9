package dev.warren.net.frame;

import static dev.warren.net.frame.Frames.decode;
import static dev.warren.net.frame.Frames.encodeAll;
import static dev.warren.net.frame.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameDecoderTest {

    static final int M = 4096;

    static Stream<FrameFormat> formats() {
        return Stream.of(FrameFormat.buffStreams(M), FrameFormat.fixed32(M));
    }

    /** Every length 0..M, each frame alone, decoded in one piece and through the blocking reader. */
    @ParameterizedTest
    @MethodSource("formats")
    void everyLengthRoundTrips(FrameFormat format) throws Exception {
        FrameDecoder decoder = FrameDecoder.of(format);
        ByteBuffer buf = ByteBuffer.allocate(format.frameSize(M));
        for (int length = 0; length <= M; length++) {
            byte[] p = payload(length, length);
            buf.clear();
            format.encode(p, buf);
            assertEquals(format.headerSize() + length, buf.position());
            buf.flip();
            ByteBuffer out = decoder.next(buf);
            byte[] got = new byte[out.remaining()];
            out.get(got);
            assertArrayEquals(p, got, "length " + length);
            assertFalse(buf.hasRemaining());
            assertNull(decoder.next(buf));
        }
        decoder.endOfStream();
    }

    /** Every length 0..M back to back in one stream, read with the blocking reader in small reads. */
    @ParameterizedTest
    @MethodSource("formats")
    void everyLengthRoundTripsInOneStream(FrameFormat format) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (int length = 0; length <= M; length++) {
            payloads.add(payload(length, 7 * length));
        }
        byte[] stream = encodeAll(format, payloads);
        try (FrameReader reader = FrameReader.of(new java.io.ByteArrayInputStream(stream), format, 1000)) {
            for (byte[] p : payloads) {
                assertArrayEquals(p, reader.read());
            }
            assertNull(reader.read());
            assertEquals(stream.length, reader.bytesRead());
        }
    }

    /** Frames split at every byte boundary (one cut, then two cuts) decode as in one piece. */
    @ParameterizedTest
    @MethodSource("formats")
    void splitAtEveryBoundary(FrameFormat format) throws Exception {
        List<byte[]> payloads = List.of(
                payload(110, 1),
                payload(0, 2),
                payload(1, 3),
                payload(300, 4),
                payload(127, 5),
                payload(M, 6),
                payload(64, 7));
        byte[] stream = encodeAll(format, payloads);
        assertFrames(payloads, decode(format, stream));
        for (int cut = 0; cut <= stream.length; cut++) {
            assertFrames(payloads, decode(format, stream, cut));
        }
        byte[] small = encodeAll(format, payloads.subList(0, 5));
        for (int a = 0; a <= small.length; a++) {
            for (int b = a; b <= small.length; b++) {
                assertFrames(payloads.subList(0, 5), decode(format, small, a, b));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void oneByteAtATime(FrameFormat format) throws Exception {
        List<byte[]> payloads = List.of(payload(110, 1), payload(0, 2), payload(M, 3), payload(5, 4));
        byte[] stream = encodeAll(format, payloads);
        int[] cuts = new int[stream.length - 1];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        assertFrames(payloads, decode(format, stream, cuts));
    }

    @ParameterizedTest
    @MethodSource("formats")
    @SuppressWarnings("ByteBufferBackingArray") // compares backing arrays by identity: is it a view or a copy
    void manyFramesCoalescedInOnePieceAreViewsWithoutCopy(FrameFormat format) throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            payloads.add(payload(110, i));
        }
        ByteBuffer src = ByteBuffer.wrap(encodeAll(format, payloads));
        FrameDecoder decoder = FrameDecoder.of(format);
        ByteBuffer first = decoder.next(src);
        assertSame(src.array(), first.array(), "a whole frame in src is a view of src"); // both heap, wrapped
        ByteBuffer view = first;
        for (int i = 0; i < payloads.size(); i++) {
            if (i > 0) {
                view = decoder.next(src);
                assertSame(first, view, "the view object is reused");
            }
            byte[] got = new byte[view.remaining()];
            view.get(got);
            assertArrayEquals(payloads.get(i), got);
        }
        assertNull(decoder.next(src));
        assertFalse(decoder.isMidFrame());
    }

    @Test
    void truncatedInsideHeader() throws Exception {
        FrameDecoder decoder = FrameDecoder.of(FrameFormat.buffStreams(M));
        assertNull(decoder.next(ByteBuffer.wrap(Frames.hex("DC 01"))));
        assertTrue(decoder.isMidFrame());
        assertEquals(2, decoder.bufferedBytes());
        FrameException e = assertThrows(FrameException.class, decoder::endOfStream);
        assertEquals(FrameException.Reason.TRUNCATED, e.reason());
        assertEquals("stream ended inside a frame after 2 of 3 header bytes", e.getMessage());
    }

    @Test
    void truncatedInsidePayload() throws Exception {
        FrameDecoder decoder = FrameDecoder.of(FrameFormat.fixed32(M));
        byte[] stream = encodeAll(FrameFormat.fixed32(M), List.of(payload(110, 0)));
        assertNull(decoder.next(ByteBuffer.wrap(stream, 0, 50)));
        assertEquals(50, decoder.bufferedBytes());
        FrameException e = assertThrows(FrameException.class, decoder::endOfStream);
        assertEquals(FrameException.Reason.TRUNCATED, e.reason());
        assertEquals("stream ended inside a frame after 46 of 110 payload bytes", e.getMessage());
        assertThrows(IllegalStateException.class, () -> decoder.next(ByteBuffer.allocate(1)));
    }

    @Test
    void badHeaderSplitAcrossPiecesIsStillRejected() throws Exception {
        FrameDecoder decoder = FrameDecoder.of(FrameFormat.buffStreams(M));
        assertNull(decoder.next(ByteBuffer.wrap(Frames.hex("90"))));
        FrameException e =
                assertThrows(FrameException.class, () -> decoder.next(ByteBuffer.wrap(Frames.hex("4E 00 AA"))));
        assertEquals(FrameException.Reason.TOO_LARGE, e.reason());
        assertEquals("frame length 5000 exceeds the maximum 4096", e.getMessage());
        IllegalStateException dead =
                assertThrows(IllegalStateException.class, () -> decoder.next(ByteBuffer.allocate(3)));
        assertEquals("decoder already failed: frame length 5000 exceeds the maximum 4096", dead.getMessage());
    }

    @Test
    void badHeaderAfterGoodFramesInOnePiece() throws Exception {
        FrameFormat format = FrameFormat.buffStreams(M);
        byte[] good = encodeAll(format, List.of(payload(10, 0), payload(20, 0)));
        byte[] stream = java.util.Arrays.copyOf(good, good.length + 3);
        System.arraycopy(Frames.hex("FF FF FF"), 0, stream, good.length, 3);
        FrameDecoder decoder = FrameDecoder.of(format);
        ByteBuffer src = ByteBuffer.wrap(stream);
        assertEquals(10, decoder.next(src).remaining());
        assertEquals(20, decoder.next(src).remaining());
        FrameException e = assertThrows(FrameException.class, () -> decoder.next(src));
        assertEquals(FrameException.Reason.MALFORMED_HEADER, e.reason());
    }

    @Test
    void directAndReadOnlySources() throws Exception {
        FrameFormat format = FrameFormat.buffStreams(M);
        List<byte[]> payloads = List.of(payload(110, 1), payload(3, 2));
        byte[] stream = encodeAll(format, payloads);
        ByteBuffer direct = ByteBuffer.allocateDirect(stream.length).put(stream).flip();
        List<byte[]> out = new ArrayList<>();
        Frames.drain(FrameDecoder.of(format), direct, out);
        assertFrames(payloads, out);
        out.clear();
        Frames.drain(FrameDecoder.of(format), ByteBuffer.wrap(stream).asReadOnlyBuffer(), out);
        assertFrames(payloads, out);
    }

    static void assertFrames(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }
}
