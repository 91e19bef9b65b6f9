package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Reads the lines of an HTTP head (RFC 9112 section 2.2) and its header fields (section 5) from a byte
 * stream, one byte at a time from a buffered source, with length limits. Lines end in CRLF; a bare CR
 * or a bare LF is rejected (400), as is obs-fold. Not thread-safe: one per connection.
 */
final class HeadReader {
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    static boolean isTchar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    private byte[] buf = new byte[128];
    private int len;

    /** The bytes of the last line read (valid up to {@link #length()}). */
    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    String text(int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads one line into {@link #bytes()} without its CRLF.
     *
     * @param max the longest line accepted, CRLF excluded
     * @param tooLongStatus the status when the line is longer
     * @param what what the line is, for messages
     * @param eofOk whether the end of stream before the first byte is acceptable (then -1 is returned)
     * @return the length, or -1 at an accepted end of stream
     */
    int readLine(InputStream in, int max, int tooLongStatus, String what, boolean eofOk) throws IOException {
        len = 0;
        for (; ; ) {
            int b = in.read();
            if (b < 0) {
                if (len == 0 && eofOk) {
                    return -1;
                }
                throw new HttpParseException(400, "stream ended inside the " + what + " after " + len + " bytes");
            }
            if (b == '\r') {
                int n = in.read();
                if (n == '\n') {
                    return len;
                }
                throw new HttpParseException(400, "bare CR (not followed by LF) in the " + what);
            }
            if (b == '\n') {
                throw new HttpParseException(400, "bare LF (without CR) ends the " + what);
            }
            if (len >= max) {
                throw new HttpParseException(tooLongStatus, what + " longer than " + max + " bytes");
            }
            if (len == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(Math.max(max, 16), buf.length * 2));
            }
            buf[len++] = (byte) b;
        }
    }

    /**
     * Reads header fields up to and including the empty line that ends them.
     *
     * @param maxCount the most fields
     * @param maxBytes the most bytes of fields, each line's CRLF included, the final CRLF excluded
     * @param what "header" or "trailer", for messages
     */
    HttpHeaders readFields(InputStream in, int maxCount, int maxBytes, String what) throws IOException {
        List<String> nv = null;
        int count = 0;
        int budget = maxBytes;
        for (; ; ) {
            int n = readLine(in, Math.max(0, budget), 431, what + " section", false);
            if (n == 0) {
                return nv == null ? HttpHeaders.empty() : new HttpHeaders(Collections.unmodifiableList(nv));
            }
            budget -= n + 2;
            if (budget < 0) {
                throw new HttpParseException(431, what + " section longer than " + maxBytes + " bytes");
            }
            if (++count > maxCount) {
                throw new HttpParseException(431, "more than " + maxCount + " " + what + " fields");
            }
            if (nv == null) {
                nv = new ArrayList<>(16);
            }
            parseField(nv, what);
        }
    }

    private void parseField(List<String> nv, String what) throws HttpParseException {
        byte[] b = buf;
        int n = len;
        if (b[0] == ' ' || b[0] == '\t') {
            throw new HttpParseException(
                    400, "obs-fold (a " + what + " line starting with whitespace) is not accepted");
        }
        int colon = 0;
        while (colon < n && b[colon] != ':') {
            if (!isTchar(b[colon])) {
                throw new HttpParseException(
                        400,
                        "illegal character (code " + (b[colon] & 0xFF) + ") in " + what + " name '"
                                + text(0, Math.min(n, 64)) + "'");
            }
            colon++;
        }
        if (colon == n) {
            throw new HttpParseException(400, what + " line without a colon: '" + text(0, Math.min(n, 64)) + "'");
        }
        if (colon == 0) {
            throw new HttpParseException(400, "empty " + what + " name");
        }
        int vs = colon + 1;
        int ve = n;
        while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            int c = b[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HttpParseException(
                        400,
                        "illegal character (code " + c + ") in the value of " + what + " '" + text(0, colon) + "'");
            }
        }
        nv.add(HeaderNames.intern(b, colon));
        nv.add(text(vs, ve));
    }
}
