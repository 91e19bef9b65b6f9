package dev.warren.net.http;

/**
 * A parsed request head.
 *
 * @param method the method, as sent (case-sensitive)
 * @param target the request target, as sent
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x)
 * @param headers the header fields
 * @param contentLength the body length; 0 when there is no body; -1 when chunked
 * @param expectContinue the client sent {@code Expect: 100-continue}
 * @param keepAlive whether the client wants the connection kept open after this exchange
 */
record RequestHead(
        String method,
        String target,
        int minorVersion,
        HttpHeaders headers,
        long contentLength,
        boolean expectContinue,
        boolean keepAlive) {

    boolean chunked() {
        return contentLength < 0;
    }

    String version() {
        return minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1";
    }
}
