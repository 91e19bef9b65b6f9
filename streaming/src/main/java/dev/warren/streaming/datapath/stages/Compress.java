package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * {@code (compress[,format=gzip|zlib|deflate][,level=0..9])}: replaces each block by its compressed form,
 * each block compressed on its own (a complete gzip member by default). Concatenated, the blocks are a
 * valid multi-member gzip file ({@code gunzip} reads it whole), and a reader that lost blocks to an
 * overrun can still decompress the ones after. One {@link Deflater} and one output buffer per stage,
 * reset per block: nothing is allocated per block once the buffer has grown to the largest block.
 */
public final class Compress implements StageType {
    @Override
    public String name() {
        return "compress";
    }

    @Override
    public String info() {
        return "compresses each block on its own (format=gzip|zlib|deflate, level=0..9)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("format", "level");
        format(o);
        level(o);
    }

    static String format(StageOptions o) {
        return o.choice("format", "gzip", "gzip", "zlib", "deflate");
    }

    private static int level(StageOptions o) {
        return (int) o.integer("level", 6, 0, 9);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Compressor(format(o), level(o));
    }

    /** The compressor, usable on its own (the benchmark compares it with a bare Deflater). */
    public static final class Compressor implements Stage {
        private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
        private final boolean gzip;
        private final int level;
        private final boolean nowrap;
        private final CRC32 crc = new CRC32();
        private Deflater deflater;
        private byte[] out = new byte[1024];
        private volatile long bytesIn;
        private volatile long bytesOut;

        /** A compressor of {@code format} (gzip, zlib, deflate) at {@code level}; call {@link #open} first. */
        public Compressor(String format, int level) {
            this.gzip = format.equals("gzip");
            this.nowrap = !format.equals("zlib");
            this.level = level;
        }

        @Override
        public void open(dev.warren.streaming.datapath.StageContext ctx) {
            deflater = new Deflater(level, nowrap);
        }

        @Override
        @SuppressWarnings("NonAtomicVolatileUpdate") // one tasklet at a time; volatile for state()
        public int process(Block b) {
            int len = b.length();
            int bound = len + (len >> 12) + (len >> 14) + (len >> 25) + 13 + 18;
            if (out.length < bound) {
                out = new byte[Math.max(bound, out.length * 2)];
            }
            Deflater d = deflater;
            d.reset();
            d.setInput(b.array(), b.offset(), len);
            d.finish();
            int pos = 0;
            if (gzip) {
                System.arraycopy(GZIP_HEADER, 0, out, 0, GZIP_HEADER.length);
                pos = GZIP_HEADER.length;
            }
            while (!d.finished()) {
                pos += d.deflate(out, pos, out.length - pos);
                if (pos == out.length && !d.finished()) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
            }
            if (gzip) {
                crc.reset();
                crc.update(b.array(), b.offset(), len);
                pos = putIntLe(out, pos, (int) crc.getValue());
                pos = putIntLe(out, pos, len);
            }
            bytesIn += len;
            bytesOut += pos;
            b.replace(out, 0, pos);
            return 1;
        }

        private int putIntLe(byte[] a, int pos, int v) {
            if (a.length < pos + 4) {
                out = a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[pos] = (byte) v;
            a[pos + 1] = (byte) (v >>> 8);
            a[pos + 2] = (byte) (v >>> 16);
            a[pos + 3] = (byte) (v >>> 24);
            return pos + 4;
        }

        @Override
        public void close() {
            if (deflater != null) {
                deflater.end();
            }
        }

        @Override
        public Map<String, Object> state() {
            long in = bytesIn;
            long o = bytesOut;
            return Map.of("bytes_in", in, "bytes_out", o, "ratio", in == 0 ? 0.0 : (double) o / in);
        }
    }
}
