package dev.warren.streaming.datapath.stages;

import dev.warren.streaming.datapath.Block;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte helpers shared by the stages: searching blocks without decoding them. */
final class Bytes {
    private Bytes() {}

    /** The index of {@code needle} in {@code a[from..to)}, or -1. */
    static int indexOf(byte[] a, int from, int to, byte[] needle) {
        int n = needle.length;
        if (n == 0) {
            return from;
        }
        byte first = needle[0];
        int last = to - n;
        outer:
        for (int i = from; i <= last; i++) {
            if (a[i] != first) {
                continue;
            }
            for (int k = 1; k < n; k++) {
                if (a[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static boolean contains(Block b, byte[] needle) {
        return indexOf(b.array(), b.offset(), b.offset() + b.length(), needle) >= 0;
    }

    /** Whether {@code regex} has no character with a meaning in a regular expression. */
    static boolean isLiteral(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            if ("\\^$.|?*+()[]{}".indexOf(regex.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A matcher of blocks against a pattern: a byte search when the pattern is a literal, else a regular
     * expression over the bytes read as ISO-8859-1 (one char per byte, no decoding, no copy). Not
     * thread-safe: one per stage instance.
     */
    static final class Finder {
        private final byte[] literal;
        private final Matcher matcher;
        private final Latin1 chars = new Latin1();

        Finder(String pattern, boolean literal) {
            if (literal || isLiteral(pattern)) {
                this.literal = pattern.getBytes(StandardCharsets.UTF_8);
                this.matcher = null;
            } else {
                this.literal = null;
                this.matcher = Pattern.compile(pattern).matcher("");
            }
        }

        boolean find(byte[] a, int off, int len) {
            if (literal != null) {
                return indexOf(a, off, off + len, literal) >= 0;
            }
            chars.set(a, off, len);
            return matcher.reset(chars).find();
        }

        boolean find(Block b) {
            return find(b.array(), b.offset(), b.length());
        }
    }

    /** Bytes seen as chars (ISO-8859-1), without copying. */
    static final class Latin1 implements CharSequence {
        private byte[] a = new byte[0];
        private int off;
        private int len;

        void set(byte[] a, int off, int len) {
            this.a = a;
            this.off = off;
            this.len = len;
        }

        @Override
        public int length() {
            return len;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= len) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (a[off + index] & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            if (start < 0 || end > len || start > end) {
                throw new IndexOutOfBoundsException("subSequence(" + start + ", " + end + ") of " + len);
            }
            return new String(a, off + start, end - start, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(a, off, len, StandardCharsets.ISO_8859_1);
        }
    }
}
