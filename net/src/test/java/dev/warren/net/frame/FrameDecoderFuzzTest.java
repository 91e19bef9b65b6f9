package dev.warren.net.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing (Jazzer) of the frame decoders, BuffStreams' varint header and the fixed
 * 4-byte one. Regression inputs in
 * {@code src/test/resources/dev/warren/net/frame/FrameDecoderFuzzTestInputs/<method>/}.
 *
 * <p>Oracles: any bytes end in frames or one {@link FrameException} (nothing else escapes, and a dead
 * decoder says so); the frames and the error do not depend on how the bytes are cut into pieces; no
 * frame is longer than the maximum; and payloads the fuzzer picks, encoded, decode to themselves.
 */
@Tag("fuzz")
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void buffStreams(FuzzedDataProvider data) {
        check(FrameFormat.buffStreams(data.consumeInt(1, 70_000)), data);
    }

    @FuzzTest(maxDuration = "60s")
    void fixed32(FuzzedDataProvider data) {
        check(FrameFormat.fixed32(data.consumeInt(1, 70_000)), data);
    }

    private static void check(FrameFormat format, FuzzedDataProvider data) {
        // round trip first: a few payloads chosen by the fuzzer
        List<byte[]> payloads = new ArrayList<>();
        int count = data.consumeInt(0, 4);
        int total = 0;
        for (int i = 0; i < count; i++) {
            byte[] p = data.consumeBytes(Math.min(format.maxMessageSize(), data.consumeInt(0, 300)));
            payloads.add(p);
            total += format.frameSize(p.length);
        }
        ByteBuffer encoded = ByteBuffer.allocate(total);
        for (byte[] p : payloads) {
            format.encode(p, 0, p.length, encoded);
        }
        Result back = decode(format, encoded.array(), new int[0]);
        assertEquals(null, back.error, "encoded frames failed to decode");
        assertEquals(payloads.size(), back.frames.size());
        for (int i = 0; i < payloads.size(); i++) {
            assertArrayEquals(payloads.get(i), back.frames.get(i));
        }

        // then arbitrary bytes, whole and cut into pieces
        int[] cuts = new int[data.consumeInt(0, 8)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(0, 2048);
        }
        java.util.Arrays.sort(cuts);
        byte[] raw = data.consumeRemainingAsBytes();
        Result whole = decode(format, raw, new int[0]);
        Result cut = decode(format, raw, cuts);
        assertEquals(whole.error, cut.error, "the error depends on the cuts");
        assertEquals(whole.frames.size(), cut.frames.size(), "the frame count depends on the cuts");
        for (int i = 0; i < whole.frames.size(); i++) {
            assertArrayEquals(whole.frames.get(i), cut.frames.get(i));
            if (whole.frames.get(i).length > format.maxMessageSize()) {
                throw new AssertionError("frame of " + whole.frames.get(i).length + " bytes above the maximum");
            }
        }
    }

    private record Result(List<byte[]> frames, String error) {}

    /** Feeds {@code raw} in the pieces between {@code cuts}, then the end of stream. */
    private static Result decode(FrameFormat format, byte[] raw, int[] cuts) {
        FrameDecoder d = FrameDecoder.of(format);
        List<byte[]> frames = new ArrayList<>();
        int from = 0;
        try {
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? Math.min(Math.max(cuts[i], from), raw.length) : raw.length;
                ByteBuffer piece = ByteBuffer.wrap(raw, from, to - from);
                for (ByteBuffer f; (f = d.next(piece)) != null; ) {
                    byte[] copy = new byte[f.remaining()];
                    f.get(copy);
                    frames.add(copy);
                }
                if (piece.hasRemaining()) {
                    throw new AssertionError("next() returned null with bytes left in the piece");
                }
                from = to;
            }
            d.endOfStream();
            return new Result(frames, null);
        } catch (FrameException e) {
            try {
                d.next(ByteBuffer.allocate(1));
                throw new AssertionError("a failed decoder went on decoding");
            } catch (IllegalStateException dead) {
                // as documented: the framing is lost
            } catch (FrameException again) {
                throw new AssertionError("a failed decoder threw FrameException again", again);
            }
            return new Result(frames, e.reason() + "");
        }
    }
}
