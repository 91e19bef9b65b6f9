package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import dev.warren.streaming.datapath.Role;
import dev.warren.streaming.datapath.Stage;
import dev.warren.streaming.datapath.StageContext;
import dev.warren.streaming.datapath.StageOptions;
import dev.warren.streaming.datapath.StageType;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * {@code (decompress[,format=gzip|zlib|deflate][,max=64m])}: the inverse of {@code compress}: replaces each
 * block, a complete compressed unit (for gzip one or more members), by its contents. A block that is not
 * one (corrupt, truncated, a wrong gzip CRC) or whose contents exceed {@code max} bytes is an error of the
 * stage and is dropped.
 */
public final class Decompress implements StageType {
    @Override
    public String name() {
        return "decompress";
    }

    @Override
    public String info() {
        return "decompresses each block (format=gzip|zlib|deflate, max=64m bytes of output per block)";
    }

    @Override
    public void tryex(StageOptions o, Role role) {
        o.allowOnly("format", "max");
        Compress.format(o);
        max(o);
    }

    private static int max(StageOptions o) {
        return (int) o.size("max", 64 << 20, 1, 1 << 30);
    }

    @Override
    public Stage newStage(StageOptions o, Role role) {
        return new Decompressor(Compress.format(o), max(o));
    }

    static final class Decompressor implements Stage {
        private final boolean gzip;
        private final boolean nowrap;
        private final int max;
        private final CRC32 crc = new CRC32();
        private Inflater inflater;
        private byte[] out = new byte[4096];

        Decompressor(String format, int max) {
            this.gzip = format.equals("gzip");
            this.nowrap = !format.equals("zlib");
            this.max = max;
        }

        @Override
        public void open(StageContext ctx) {
            inflater = new Inflater(nowrap);
        }

        @Override
        public int process(Block b) throws DataFormatException {
            byte[] a = b.array();
            int p = b.offset();
            int end = p + b.length();
            int n = 0;
            if (!gzip) {
                n = inflate(a, p, end, 0);
                if (inflater.getRemaining() != 0) {
                    throw new DataFormatException(
                            inflater.getRemaining() + " bytes after the end of the compressed data");
                }
            } else {
                do {
                    p = header(a, p, end);
                    int from = n;
                    n = inflate(a, p, end, n);
                    p = end - inflater.getRemaining();
                    if (end - p < 8) {
                        throw new DataFormatException("gzip member without its 8-byte trailer");
                    }
                    crc.reset();
                    crc.update(out, from, n - from);
                    if (intLe(a, p) != (int) crc.getValue()) {
                        throw new DataFormatException("gzip member with a wrong CRC32");
                    }
                    if (intLe(a, p + 4) != n - from) {
                        throw new DataFormatException("gzip member with a wrong length");
                    }
                    p += 8;
                } while (p < end);
            }
            b.replace(out, 0, n);
            return 1;
        }

        /** Inflates one stream from {@code a[p..end)} into {@code out} after {@code n} bytes; the new length. */
        private int inflate(byte[] a, int p, int end, int n) throws DataFormatException {
            Inflater inf = inflater;
            inf.reset();
            inf.setInput(a, p, end - p);
            while (!inf.finished()) {
                if (n == out.length) {
                    if (n >= max) {
                        throw new DataFormatException("the contents exceed max=" + max + " bytes");
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(max, out.length * 2L));
                }
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new DataFormatException("truncated compressed data");
                }
                n += k;
            }
            return n;
        }

        /** Skips a gzip member header at {@code p}; the position of its deflate data. */
        private static int header(byte[] a, int p, int end) throws DataFormatException {
            if (end - p < 10 || a[p] != 0x1f || a[p + 1] != (byte) 0x8b || a[p + 2] != 8) {
                throw new DataFormatException("not a gzip member (no 1f 8b 08 header)");
            }
            int flags = a[p + 3] & 0xFF;
            int q = p + 10;
            if ((flags & 4) != 0) { // FEXTRA
                if (end - q < 2) {
                    throw new DataFormatException("truncated gzip header");
                }
                q += 2 + ((a[q] & 0xFF) | (a[q + 1] & 0xFF) << 8);
            }
            for (int flag : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
                if ((flags & flag) != 0) {
                    while (q < end && a[q] != 0) {
                        q++;
                    }
                    q++;
                }
            }
            if ((flags & 2) != 0) { // FHCRC
                q += 2;
            }
            if (q > end) {
                throw new DataFormatException("truncated gzip header");
            }
            return q;
        }

        private static int intLe(byte[] a, int p) {
            return (a[p] & 0xFF) | (a[p + 1] & 0xFF) << 8 | (a[p + 2] & 0xFF) << 16 | (a[p + 3] & 0xFF) << 24;
        }

        @Override
        public void close() {
            if (inflater != null) {
                inflater.end();
            }
        }

        @Override
        public Map<String, Object> state() {
            return Map.of("buffer_bytes", out.length);
        }
    }
}
