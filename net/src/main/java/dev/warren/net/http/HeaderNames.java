package dev.warren.net.http;

import java.nio.charset.StandardCharsets;

/** Shares the String of common header names instead of allocating one per request. */
final class HeaderNames {
    private static final String[] COMMON = {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Length",
        "Content-Type", "Transfer-Encoding", "Expect", "Cookie", "Cache-Control", "Referer", "Origin",
        "Authorization", "Date", "Server", "Upgrade", "Keep-Alive", "Pragma", "Content-Encoding",
    };
    private static final byte[][] COMMON_BYTES = new byte[COMMON.length][];

    static {
        for (int i = 0; i < COMMON.length; i++) {
            COMMON_BYTES[i] = COMMON[i].getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private HeaderNames() {}

    /** The name in {@code b[0..len)}: a shared String when it is a common one spelled the common way. */
    static String intern(byte[] b, int len) {
        for (int i = 0; i < COMMON_BYTES.length; i++) {
            byte[] c = COMMON_BYTES[i];
            if (c.length == len && java.util.Arrays.equals(c, 0, len, b, 0, len)) {
                return COMMON[i];
            }
        }
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
    }
}
