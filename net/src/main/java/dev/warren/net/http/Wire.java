package dev.warren.net.http;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Pre-encoded bytes of response heads: status lines and the Date field (refreshed once a second). */
final class Wire {
    static final byte[] CRLF = {'\r', '\n'};
    static final byte[] COLON_SP = {':', ' '};
    static final byte[] CONTENT_LENGTH = ascii("Content-Length: ");
    static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    static final byte[] LAST_CHUNK = ascii("0\r\n\r\n");

    private static final byte[][] STATUS_LINES = new byte[600][];
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private static final class DateLine {
        final long second;
        final byte[] bytes;

        DateLine(long second, byte[] bytes) {
            this.second = second;
            this.bytes = bytes;
        }
    }

    private static volatile DateLine date = new DateLine(-1, new byte[0]);

    static {
        for (int s = 100; s < 600; s++) {
            STATUS_LINES[s] = ascii("HTTP/1.1 " + s + " " + HttpStatus.reason(s) + "\r\n");
        }
    }

    private Wire() {}

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] statusLine(int status) {
        return STATUS_LINES[status];
    }

    /** {@code Date: <IMF-fixdate>\r\n} for the current second. */
    static byte[] dateLine() {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        DateLine d = date;
        if (d.second != second) {
            d = new DateLine(
                    second, ascii("Date: " + IMF_FIXDATE.format(java.time.Instant.ofEpochSecond(second)) + "\r\n"));
            date = d;
        }
        return d.bytes;
    }

    /** The decimal digits of {@code n >= 0}. */
    static byte[] decimal(long n) {
        return ascii(Long.toString(n));
    }
}
