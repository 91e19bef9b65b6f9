package dev.warren.net.http;

/**
 * Size limits applied to every request a server reads (and, for the head, every response a client
 * reads). Immutable; start from {@link #defaults()} and change what you need with the {@code with...}
 * methods, each checked at once.
 *
 * @param maxRequestLineLength the longest request line (method, target, version), bytes without CRLF;
 *     beyond it the server answers 414 URI Too Long
 * @param maxHeaderCount the most header fields in one head (or one chunked trailer); beyond it 431
 * @param maxHeaderBytes the most bytes of header fields in one head, CRLFs included; beyond it 431
 * @param maxBodyBytes the largest request body, in bytes (declared or, when chunked, received); beyond it 413
 */
public record HttpLimits(int maxRequestLineLength, int maxHeaderCount, int maxHeaderBytes, long maxBodyBytes) {

    private static final HttpLimits DEFAULTS = new HttpLimits(8192, 100, 16384, 10L * 1024 * 1024);

    public HttpLimits {
        if (maxRequestLineLength < 16) {
            throw new IllegalArgumentException("maxRequestLineLength must be >= 16, was " + maxRequestLineLength);
        }
        if (maxHeaderCount < 1) {
            throw new IllegalArgumentException("maxHeaderCount must be >= 1, was " + maxHeaderCount);
        }
        if (maxHeaderBytes < 64) {
            throw new IllegalArgumentException("maxHeaderBytes must be >= 64, was " + maxHeaderBytes);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 0, was " + maxBodyBytes);
        }
    }

    /** Request line 8 KiB, 100 header fields, 16 KiB of header fields, 10 MiB of body. */
    public static HttpLimits defaults() {
        return DEFAULTS;
    }

    public HttpLimits withMaxRequestLineLength(int bytes) {
        return new HttpLimits(bytes, maxHeaderCount, maxHeaderBytes, maxBodyBytes);
    }

    public HttpLimits withMaxHeaderCount(int count) {
        return new HttpLimits(maxRequestLineLength, count, maxHeaderBytes, maxBodyBytes);
    }

    public HttpLimits withMaxHeaderBytes(int bytes) {
        return new HttpLimits(maxRequestLineLength, maxHeaderCount, bytes, maxBodyBytes);
    }

    public HttpLimits withMaxBodyBytes(long bytes) {
        return new HttpLimits(maxRequestLineLength, maxHeaderCount, maxHeaderBytes, bytes);
    }
}
