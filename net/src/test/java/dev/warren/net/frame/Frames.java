package dev.warren.net.frame;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: encode payload lists, decode byte streams fed in given pieces. */
final class Frames {

    private Frames() {}

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes);
    }

    static byte[] header(FrameFormat format, int length) {
        ByteBuffer dst = ByteBuffer.allocate(format.frameSize(length));
        format.encode(new byte[length], dst);
        byte[] header = new byte[format.headerSize()];
        dst.flip().get(header);
        return header;
    }

    static byte[] encodeAll(FrameFormat format, List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            ByteBuffer dst = ByteBuffer.allocate(format.frameSize(p.length));
            format.encode(p, dst);
            out.write(dst.array(), 0, dst.position());
        }
        return out.toByteArray();
    }

    static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (i * 31 + seed);
        }
        return p;
    }

    /**
     * Feeds {@code stream} to a fresh decoder cut at the given (ascending) offsets, each piece in its
     * own buffer, and returns copies of the payloads; ends the stream at the end.
     */
    static List<byte[]> decode(FrameFormat format, byte[] stream, int... cuts) throws FrameException {
        FrameDecoder decoder = FrameDecoder.of(format);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            // A piece at a non-zero offset of a larger array, so array offsets are exercised too.
            byte[] carrier = new byte[to - from + 7];
            System.arraycopy(stream, from, carrier, 3, to - from);
            ByteBuffer piece = ByteBuffer.wrap(carrier, 3, to - from).slice();
            drain(decoder, piece, out);
            from = to;
        }
        decoder.endOfStream();
        return out;
    }

    static void drain(FrameDecoder decoder, ByteBuffer piece, List<byte[]> out) throws FrameException {
        ByteBuffer payload;
        while ((payload = decoder.next(piece)) != null) {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            out.add(copy);
        }
        if (piece.hasRemaining()) {
            throw new AssertionError("next() returned null with " + piece.remaining() + " bytes left");
        }
    }
}
