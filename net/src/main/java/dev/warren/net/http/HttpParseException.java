package dev.warren.net.http;

import java.net.ProtocolException;

/**
 * A peer sent bytes that are not acceptable HTTP/1.1 (RFC 9112), or that exceed a configured
 * {@link HttpLimits limit}. It carries the status code a server answers with: 400 for malformed syntax,
 * 408 (never thrown by the parser itself; used by the server for a stalled request), 413 for an
 * over-large body, 414 for an over-long request line, 417 for an unknown expectation, 431 for too many
 * or too large header fields, 501 for an unknown method or transfer coding, 505 for an unsupported
 * HTTP version.
 *
 * <p>The parser throws nothing else for bad input: a request that ends early is a 400 too. After one of
 * these the byte stream can no longer be trusted; the server answers and closes the connection.
 */
public class HttpParseException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * Creates the exception.
     *
     * @param status the status code that describes the problem, 400..599
     * @param message what was wrong, naming the offending value where there is one
     */
    public HttpParseException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 400..599, was " + status);
        }
        this.status = status;
    }

    /** The status code a server should answer with. */
    public int status() {
        return status;
    }
}
