package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs the request parser over in-memory bytes cut into arbitrary reads, as the server would. */
final class ParserHarness {
    private ParserHarness() {}

    /** An input that hands out the bytes in segments: no read crosses a cut. */
    static final class CutInputStream extends InputStream {
        private final byte[] data;
        private final int[] cuts; // ascending offsets
        private int pos;

        CutInputStream(byte[] data, int... cuts) {
            this.data = data;
            this.cuts = cuts;
        }

        private int segmentEnd() {
            for (int c : cuts) {
                if (c > pos) {
                    return Math.min(c, data.length);
                }
            }
            return data.length;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(len, segmentEnd() - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return segmentEnd() - pos;
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Parses every request in {@code in} and describes each (method, target, version, headers, body,
     * trailers, keep-alive), reading bodies in reads of {@code readSize} bytes; a parse error ends the
     * list with "ERROR status".
     */
    static List<String> parseAll(InputStream in, HttpLimits limits, int readSize) throws IOException {
        RequestParser p = new RequestParser(limits);
        List<String> out = new ArrayList<>();
        try {
            for (RequestHead h; (h = p.parseHead(in)) != null; ) {
                StringBuilder sb = new StringBuilder();
                sb.append(h.method()).append(' ').append(h.target()).append(' ').append(h.version());
                sb.append(" headers=").append(h.headers());
                sb.append(" keepAlive=").append(h.keepAlive());
                if (h.expectContinue()) {
                    sb.append(" expect100");
                }
                BodyInputStream body = h.chunked()
                        ? BodyInputStream.chunked(in, limits, p.reader())
                        : BodyInputStream.fixed(in, h.contentLength());
                byte[] buf = new byte[readSize];
                StringBuilder b = new StringBuilder();
                for (int n; (n = body.read(buf, 0, buf.length)) >= 0; ) {
                    b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
                sb.append(" body=").append(b);
                if (body.trailers().size() > 0) {
                    sb.append(" trailers=").append(body.trailers());
                }
                out.add(sb.toString());
            }
        } catch (HttpParseException e) {
            out.add("ERROR " + e.status());
        }
        return out;
    }

    static List<String> parseAll(byte[] raw, HttpLimits limits) throws IOException {
        return parseAll(new CutInputStream(raw), limits, 8192);
    }
}
