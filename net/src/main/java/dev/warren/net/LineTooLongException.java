package dev.warren.net;

import java.net.ProtocolException;

/**
 * {@link Connection#readLine(int)} found no line end within the allowed length. The connection's input
 * is left in the middle of the line, so the conversation cannot go on; a server counts it as
 * {@link CloseReason#PROTOCOL_ERROR} when it escapes the handler.
 */
public class LineTooLongException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final int maxLength;

    /** @param maxLength the limit that was exceeded, in bytes, line terminator excluded */
    public LineTooLongException(int maxLength) {
        super("line longer than " + maxLength + " bytes (terminator excluded)");
        this.maxLength = maxLength;
    }

    /** The limit that was exceeded. */
    public int maxLength() {
        return maxLength;
    }
}
