package dev.warren.net.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Property tests: the decoder is indifferent to how bytes are cut, and garbage only ever fails cleanly. */
class FrameCodecPropertiesTest {

    @Provide
    Arbitrary<FrameFormat> formats() {
        Arbitrary<Integer> max = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 300), Arbitraries.of(255, 256, 4096, 65535, 65536, 1 << 20));
        return Combinators.combine(Arbitraries.of(true, false), max)
                .as((bs, m) -> bs ? FrameFormat.buffStreams(m) : FrameFormat.fixed32(m));
    }

    @Provide
    Arbitrary<List<byte[]>> payloads() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300).list().ofMaxSize(40);
    }

    private static List<byte[]> fit(FrameFormat format, List<byte[]> payloads) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] p : payloads) {
            out.add(p.length <= format.maxMessageSize() ? p : java.util.Arrays.copyOf(p, format.maxMessageSize()));
        }
        return out;
    }

    /** Turns arbitrary sizes into ascending cut offsets inside a stream of {@code length} bytes. */
    private static int[] cuts(List<Integer> steps, int length) {
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        for (int step : steps) {
            at += step;
            if (at >= length) {
                break;
            }
            cuts.add(at);
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }

    @Property
    void anyChunkingDecodesLikeOneShot(
            @ForAll("formats") FrameFormat format,
            @ForAll("payloads") List<byte[]> raw,
            @ForAll @Size(max = 60) List<@IntRange(min = 1, max = 400) Integer> steps)
            throws FrameException {
        List<byte[]> payloads = fit(format, raw);
        byte[] stream = Frames.encodeAll(format, payloads);
        List<byte[]> oneShot = Frames.decode(format, stream);
        FrameDecoderTest.assertFrames(payloads, oneShot);
        FrameDecoderTest.assertFrames(oneShot, Frames.decode(format, stream, cuts(steps, stream.length)));
    }

    @Property
    void writerThenReaderRoundTrips(
            @ForAll("formats") FrameFormat format,
            @ForAll("payloads") List<byte[]> raw,
            @ForAll @IntRange(min = 8, max = 2000) int writeBuffer,
            @ForAll @IntRange(min = 1, max = 2000) int readBuffer,
            @ForAll @IntRange(min = 1, max = 500) int step)
            throws Exception {
        List<byte[]> payloads = fit(format, raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FrameWriter writer = FrameWriter.of(out, format, writeBuffer)) {
            for (byte[] p : payloads) {
                writer.write(p);
            }
        }
        assertArrayEquals(Frames.encodeAll(format, payloads), out.toByteArray());
        try (FrameReader reader =
                FrameReader.of(FrameReaderWriterTest.trickle(out.toByteArray(), step), format, readBuffer)) {
            for (byte[] p : payloads) {
                assertArrayEquals(p, reader.read());
            }
            assertNull(reader.read());
        }
    }

    @Property(tries = 2000)
    void garbageOnlyEverThrowsFrameException(
            @ForAll("formats") FrameFormat format,
            @ForAll @Size(max = 600) byte[] garbage,
            @ForAll @Size(max = 20) List<@IntRange(min = 1, max = 100) Integer> steps) {
        FrameDecoder decoder = FrameDecoder.of(format);
        int[] cuts = cuts(steps, garbage.length);
        int from = 0;
        try {
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : garbage.length;
                ByteBuffer piece = ByteBuffer.wrap(garbage, from, to - from);
                ByteBuffer p;
                while ((p = decoder.next(piece)) != null) {
                    assertTrue(p.remaining() <= format.maxMessageSize());
                }
                from = to;
            }
            decoder.endOfStream();
        } catch (FrameException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
        }
    }

    @Property(tries = 500)
    void garbageThroughTheReaderOnlyEverThrowsFrameException(
            @ForAll("formats") FrameFormat format, @ForAll @Size(max = 600) byte[] garbage) {
        FrameReader reader = FrameReader.of(new ByteArrayInputStream(garbage), format, 64);
        try {
            while (reader.read() != null) {
                // keep reading until clean EOF or a FrameException
            }
        } catch (FrameException expected) {
            assertTrue(expected.reason() != null);
        } catch (java.io.IOException e) {
            throw new AssertionError("only FrameException may escape, got " + e, e);
        }
    }

    @Property
    void buffStreamsHeaderMatchesGoPutVarint(
            @ForAll @IntRange(min = 1, max = FrameFormat.MAX_MESSAGE_SIZE_LIMIT) int max,
            @ForAll @IntRange(min = 0, max = FrameFormat.MAX_MESSAGE_SIZE_LIMIT) int anyLength)
            throws FrameException {
        int length = (int) (anyLength % (max + 1L));
        FrameFormat format = FrameFormat.buffStreams(max);
        byte[] header = new byte[format.headerSize()];
        format.writeHeader(length, header, 0);
        assertArrayEquals(goPutVarint(length, format.headerSize()), header);
        assertEquals(length, format.readHeader(header, 0));
    }

    /** A transcription of Go's binary.PutVarint into a zeroed slice of {@code size} bytes. */
    private static byte[] goPutVarint(long x, int size) {
        byte[] buf = new byte[size];
        long ux = x << 1;
        if (x < 0) {
            ux = ~ux;
        }
        int i = 0;
        while (Long.compareUnsigned(ux, 0x80) >= 0) {
            buf[i] = (byte) (ux | 0x80);
            ux >>>= 7;
            i++;
        }
        buf[i] = (byte) ux;
        return buf;
    }
}
