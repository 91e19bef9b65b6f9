package dev.warren.net.frame;

import static dev.warren.net.frame.Frames.encodeAll;
import static dev.warren.net.frame.Frames.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameReaderWriterTest {

    static Stream<FrameFormat> formats() {
        return FrameDecoderTest.formats();
    }

    /** Counts write calls and flushes on the underlying stream. */
    static final class CountingOutputStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writes;
        int flushes;
        boolean closed;

        @Override
        public void write(int b) {
            writes++;
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes++;
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Hands out at most {@code step} bytes per read, like a socket delivering small segments. */
    static InputStream trickle(byte[] data, int step) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @ParameterizedTest
    @MethodSource("formats")
    void manySmallFramesThenOneFlushIsOneWrite(FrameFormat format) throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        FrameWriter writer = FrameWriter.of(out, format);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            payloads.add(payload(110, i));
            writer.write(payloads.get(i));
        }
        assertEquals(0, out.writes, "nothing leaves before flush");
        assertEquals(500 * format.frameSize(110), writer.buffered());
        writer.flush();
        assertEquals(1, out.writes);
        assertEquals(1, out.flushes);
        assertArrayEquals(encodeAll(format, payloads), out.bytes.toByteArray());
        assertEquals(out.bytes.size(), writer.bytesWritten());
        writer.flush();
        assertEquals(1, out.writes, "an empty flush writes nothing");
    }

    @ParameterizedTest
    @MethodSource("formats")
    void fullBufferGoesOutWholeFramesOnly(FrameFormat format) throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        int frame = format.frameSize(110);
        FrameWriter writer = FrameWriter.of(out, format, 10 * frame + 5);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            payloads.add(payload(110, i));
            writer.write(payloads.get(i));
        }
        assertEquals(2, out.writes, "25 frames through a 10-frame buffer: two full drains so far");
        assertEquals(20 * frame, out.bytes.size());
        writer.close();
        assertEquals(3, out.writes);
        assertTrue(out.closed);
        assertArrayEquals(encodeAll(format, payloads), out.bytes.toByteArray());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void framesLargerThanTheBufferStreamThrough(FrameFormat format) throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        FrameWriter writer = FrameWriter.of(out, format, 64);
        List<byte[]> payloads = List.of(payload(10, 1), payload(4096, 2), payload(0, 3), payload(1000, 4));
        writer.write(payloads.get(0));
        writer.write(payloads.get(1));
        assertEquals(2, out.writes, "the small frame rides with the big frame's start, then the rest");
        writer.write(ByteBuffer.allocateDirect(0));
        writer.write(ByteBuffer.allocateDirect(1000).put(payloads.get(3)).flip());
        writer.flush();
        assertArrayEquals(encodeAll(format, payloads), out.bytes.toByteArray());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void writerOverloadsAgree(FrameFormat format) throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        FrameWriter writer = FrameWriter.of(out, format);
        byte[] big = payload(300, 9);
        writer.write(big, 100, 110);
        writer.write(ByteBuffer.wrap(big, 100, 110));
        writer.write(ByteBuffer.wrap(big, 100, 110).slice());
        writer.flush();
        byte[] p = Arrays.copyOfRange(big, 100, 210);
        assertArrayEquals(encodeAll(format, List.of(p, p, p)), out.bytes.toByteArray());
    }

    @Test
    void writerRejectsOversizedPayloadNamingTheSize() throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        FrameWriter writer = FrameWriter.of(out, FrameFormat.buffStreams(4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> writer.write(new byte[4097]));
        assertEquals("payload of 4097 bytes exceeds the maximum message size 4096", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> writer.write(ByteBuffer.allocateDirect(5000)));
        assertEquals(0, writer.buffered());
        IllegalArgumentException small =
                assertThrows(IllegalArgumentException.class, () -> FrameWriter.of(out, FrameFormat.fixed32(10), 3));
        assertEquals("bufferSize must be >= the header size 4, was 3", small.getMessage());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void readerOverTrickledStream(FrameFormat format) throws Exception {
        List<byte[]> payloads = List.of(payload(110, 1), payload(0, 2), payload(4096, 3), payload(1, 4));
        byte[] stream = encodeAll(format, payloads);
        for (int step : new int[] {1, 2, 3, 5, 113, 4096}) {
            try (FrameReader reader = FrameReader.of(trickle(stream, step), format, 256)) {
                for (byte[] p : payloads) {
                    assertArrayEquals(p, reader.read(), "step " + step);
                }
                assertNull(reader.read());
            }
        }
    }

    @Test
    void readerEmptyStreamIsCleanEof() throws Exception {
        FrameReader reader = FrameReader.of(new ByteArrayInputStream(new byte[0]), FrameFormat.buffStreams(4096));
        assertNull(reader.read());
        assertNull(reader.readView());
    }

    @Test
    void readerReportsTruncation() {
        FrameFormat format = FrameFormat.buffStreams(4096);
        byte[] stream = encodeAll(format, List.of(payload(110, 1), payload(110, 2)));
        for (int end : new int[] {114, 115, 116, 200, stream.length - 1}) {
            FrameReader reader = FrameReader.of(new ByteArrayInputStream(stream, 0, end), format);
            FrameException e = assertThrows(FrameException.class, () -> {
                assertArrayEquals(payload(110, 1), reader.read());
                reader.read();
            });
            assertEquals(FrameException.Reason.TRUNCATED, e.reason(), "end " + end);
        }
    }

    @Test
    void readerReportsBadHeader() {
        byte[] stream = Frames.hex("02 00 00 41 90 4E 00");
        FrameReader reader = FrameReader.of(new ByteArrayInputStream(stream), FrameFormat.buffStreams(4096));
        FrameException e = assertThrows(FrameException.class, () -> {
            assertArrayEquals(new byte[] {0x41}, reader.read());
            reader.read();
        });
        assertEquals(FrameException.Reason.TOO_LARGE, e.reason());
        assertEquals("frame length 5000 exceeds the maximum 4096", e.getMessage());
    }

    @Test
    void readerValidatesBufferSize() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FrameReader.of(new ByteArrayInputStream(new byte[0]), FrameFormat.fixed32(10), 0));
        assertEquals("bufferSize must be > 0, was 0", e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("formats")
    void writerToReaderPipelined(FrameFormat format) throws Exception {
        CountingOutputStream out = new CountingOutputStream();
        List<byte[]> payloads = new ArrayList<>();
        try (FrameWriter writer = FrameWriter.of(out, format, 1024)) {
            for (int i = 0; i < 2000; i++) {
                payloads.add(payload(i % 700, i));
                writer.write(payloads.get(i));
            }
        }
        FrameReader reader = FrameReader.of(new ByteArrayInputStream(out.bytes.toByteArray()), format, 777);
        for (byte[] p : payloads) {
            ByteBuffer view = reader.readView();
            assertEquals(ByteBuffer.wrap(p), view);
        }
        assertNull(reader.readView());
    }
}
