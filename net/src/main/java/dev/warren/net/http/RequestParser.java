package dev.warren.net.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Parses request heads (RFC 9112) from a byte stream and decides how the body is framed. Every
 * rejection is an {@link HttpParseException} carrying the status to answer with; nothing else is thrown
 * for bad input (only I/O failures of the stream itself pass through). Not thread-safe: one per
 * connection.
 */
final class RequestParser {
    /** Empty lines tolerated before a request line (RFC 9112 section 2.2 "SHOULD ignore at least one"). */
    private static final int MAX_LEADING_EMPTY_LINES = 4;

    private static final String[] KNOWN_METHODS = {
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
    };

    private final HttpLimits limits;
    private final HeadReader reader = new HeadReader();

    RequestParser(HttpLimits limits) {
        this.limits = limits;
    }

    HttpLimits limits() {
        return limits;
    }

    HeadReader reader() {
        return reader;
    }

    /**
     * Reads one request head.
     *
     * @return the head, or null if the stream ended cleanly before the first byte of a request
     */
    RequestHead parseHead(InputStream in) throws IOException {
        int n;
        int empty = 0;
        do {
            n = reader.readLine(in, limits.maxRequestLineLength(), 414, "request line", empty == 0);
            if (n < 0) {
                return null;
            }
        } while (n == 0 && ++empty <= MAX_LEADING_EMPTY_LINES);
        if (n == 0) {
            throw new HttpParseException(400, "more than " + MAX_LEADING_EMPTY_LINES + " empty lines before a request");
        }
        byte[] b = reader.bytes();
        int sp1 = indexOf(b, 0, n, ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(b, sp1 + 1, n, ' ');
        if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || indexOf(b, sp2 + 1, n, ' ') >= 0) {
            throw new HttpParseException(
                    400,
                    "malformed request line (want METHOD SP TARGET SP VERSION): '" + reader.text(0, Math.min(n, 100))
                            + "'");
        }
        for (int i = 0; i < sp1; i++) {
            if (!HeadReader.isTchar(b[i])) {
                throw new HttpParseException(400, "illegal character (code " + (b[i] & 0xFF) + ") in the method");
            }
        }
        for (int i = sp1 + 1; i < sp2; i++) {
            int c = b[i] & 0xFF;
            if (c <= 0x20 || c >= 0x7F) {
                throw new HttpParseException(400, "illegal character (code " + c + ") in the request target");
            }
        }
        int minor = parseVersion(b, sp2 + 1, n);
        String method = method(b, sp1);
        String target = reader.text(sp1 + 1, sp2);
        if (target.charAt(0) != '/' && !(target.equals("*") && method.equals("OPTIONS")) && !isAbsoluteForm(target)) {
            throw new HttpParseException(
                    400,
                    "request target must start with '/' or be an absolute URI, was '"
                            + (target.length() > 100 ? target.substring(0, 100) + "..." : target) + "'");
        }

        HttpHeaders headers = reader.readFields(in, limits.maxHeaderCount(), limits.maxHeaderBytes(), "header");

        if (minor == 1) {
            int hosts = headers.count("Host");
            if (hosts != 1) {
                throw new HttpParseException(
                        400,
                        hosts == 0 ? "HTTP/1.1 request without a Host header" : hosts + " Host headers in one request");
            }
            checkHost(headers.get("Host"));
        }
        long length = framing(headers, minor);
        boolean expectContinue = false;
        String expect = headers.get("Expect");
        if (expect != null) {
            if (!expect.equalsIgnoreCase("100-continue") || headers.count("Expect") > 1) {
                throw new HttpParseException(417, "unsupported expectation '" + expect + "'");
            }
            expectContinue = minor == 1; // RFC 9110 10.1.1: ignore it in an HTTP/1.0 request
        }
        boolean keepAlive = minor == 1
                ? !headers.hasToken("Connection", "close")
                : headers.hasToken("Connection", "keep-alive") && !headers.hasToken("Connection", "close");
        return new RequestHead(method, target, minor, headers, length, expectContinue, keepAlive);
    }

    private static boolean isAbsoluteForm(String t) {
        String lower = t.length() >= 8 ? t.substring(0, 8).toLowerCase(java.util.Locale.ROOT) : "";
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    private static int indexOf(byte[] b, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private int parseVersion(byte[] b, int from, int to) throws HttpParseException {
        if (to - from != 8
                || b[from] != 'H'
                || b[from + 1] != 'T'
                || b[from + 2] != 'T'
                || b[from + 3] != 'P'
                || b[from + 4] != '/'
                || !isDigit(b[from + 5])
                || b[from + 6] != '.'
                || !isDigit(b[from + 7])) {
            throw new HttpParseException(
                    400, "malformed HTTP version '" + reader.text(from, Math.min(to, from + 20)) + "'");
        }
        int major = b[from + 5] - '0';
        int minor = b[from + 7] - '0';
        if (major != 1) {
            throw new HttpParseException(
                    505, "HTTP version " + major + "." + minor + " not supported (only 1.0 and 1.1)");
        }
        return minor == 0 ? 0 : 1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private String method(byte[] b, int len) throws HttpParseException {
        for (String m : KNOWN_METHODS) {
            if (m.length() == len && m.charAt(0) == b[0] && matches(m, b, len)) {
                return m;
            }
        }
        throw new HttpParseException(501, "method '" + reader.text(0, Math.min(len, 64)) + "' not implemented");
    }

    private static boolean matches(String s, byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static void checkHost(String host) throws HttpParseException {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
            if (!ok) {
                throw new HttpParseException(400, "illegal character (code " + (int) c + ") in Host '" + host + "'");
            }
        }
    }

    /** The body length, 0 for none, -1 for chunked (RFC 9112 section 6.3). */
    private long framing(HttpHeaders h, int minor) throws HttpParseException {
        List<String> te = h.all("Transfer-Encoding");
        List<String> cl = h.all("Content-Length");
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                throw new HttpParseException(
                        400, "both Content-Length and Transfer-Encoding (request smuggling defence)");
            }
            if (minor == 0) {
                throw new HttpParseException(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            int codings = 0;
            boolean chunkedLast = false;
            for (String v : te) {
                for (String part : v.split(",", -1)) {
                    String c = part.strip();
                    if (c.isEmpty()) {
                        continue;
                    }
                    codings++;
                    if (chunkedLast) {
                        throw new HttpParseException(400, "transfer coding '" + c + "' after chunked");
                    }
                    if (c.equalsIgnoreCase("chunked")) {
                        chunkedLast = true;
                    } else {
                        throw new HttpParseException(501, "transfer coding '" + c + "' not implemented");
                    }
                }
            }
            if (codings == 0) {
                throw new HttpParseException(400, "empty Transfer-Encoding");
            }
            return -1;
        }
        if (cl.isEmpty()) {
            return 0;
        }
        long length = -1;
        for (String v : cl) {
            for (String part : v.split(",", -1)) {
                long n = parseLength(part.strip(), v);
                if (length >= 0 && n != length) {
                    throw new HttpParseException(400, "conflicting Content-Length values " + cl);
                }
                length = n;
            }
        }
        if (length > limits.maxBodyBytes()) {
            throw new HttpParseException(
                    413, "Content-Length " + length + " above the limit of " + limits.maxBodyBytes() + " bytes");
        }
        return length;
    }

    /** One element of a Content-Length field whose whole value is {@code field}. */
    private static long parseLength(String s, String field) throws HttpParseException {
        if (s.isEmpty()) {
            throw new HttpParseException(
                    400,
                    field.isBlank()
                            ? "empty Content-Length"
                            : "Content-Length '" + field + "' has an empty element in its list");
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpParseException(
                        400, "Content-Length '" + field + "' is not a decimal number ('" + c + "' in it)");
            }
            n = n * 10 + (c - '0');
            if (n > 999_999_999_999_999_999L / 10 && i + 1 < s.length()) {
                throw new HttpParseException(413, "Content-Length " + s + " above 18 digits");
            }
        }
        return n;
    }
}
