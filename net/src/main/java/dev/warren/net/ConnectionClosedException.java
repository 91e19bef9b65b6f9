package dev.warren.net;

import java.io.IOException;

/**
 * The peer closed its side of the connection (a clean end of stream) where more bytes were required:
 * in the middle of a {@link Connection#readFully}, a line, or a fixed-size value.
 *
 * <p>A clean end of stream at a message boundary is not an exception: read methods return {@code -1}
 * or {@code null} there. A reset or another transport failure is a plain {@link IOException}.
 */
public class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long bytesRead;
    private final long bytesExpected;

    /**
     * @param message what was being read
     * @param bytesRead how many bytes of the unit had arrived before the end of stream
     * @param bytesExpected how many the unit needed ({@code -1} if unknown, as for a line)
     */
    public ConnectionClosedException(String message, long bytesRead, long bytesExpected) {
        super(message);
        this.bytesRead = bytesRead;
        this.bytesExpected = bytesExpected;
    }

    /** How many bytes of the interrupted unit had arrived. */
    public long bytesRead() {
        return bytesRead;
    }

    /** How many bytes the unit needed, or {@code -1} if unknown. */
    public long bytesExpected() {
        return bytesExpected;
    }
}
