package dev.warren.net.http;

import java.io.IOException;

/**
 * An {@link HttpClient} exchange failed: the server's response was malformed or too large, or the
 * connection ended before a complete response. The message names the server, the request and what was
 * wrong; the cause, when there is one, is the underlying {@link HttpParseException} or I/O error.
 */
public class HttpClientException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public HttpClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
