package dev.warren.net.frame;

import java.io.IOException;
import java.util.Objects;

/**
 * The peer sent bytes that are not a valid frame stream: the framing is lost and the connection that
 * carried them must be closed.
 *
 * <p>This is a protocol error (the peer's fault), not a bug: count it, log it at debug or info, and
 * close that one connection. It extends {@link IOException} so that a connection loop which closes on
 * any I/O failure also closes on a bad frame; catch it first to tell the two apart.
 *
 * <p>The message names the offending value, e.g. {@code "frame length 5000 exceeds the maximum 4096"}.
 */
public final class FrameException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a frame stream was rejected. */
    public enum Reason {
        /** The header announced a payload longer than the format's maximum message size. */
        TOO_LARGE,
        /** The header announced a negative payload length (a zig-zag varint with its sign bit set). */
        NEGATIVE_LENGTH,
        /** The header cannot be decoded (a varint that does not terminate inside the header). */
        MALFORMED_HEADER,
        /** The stream ended inside a frame, after its first byte and before its last. */
        TRUNCATED
    }

    private final Reason reason;

    FrameException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the frame stream was rejected; never null. */
    public Reason reason() {
        return reason;
    }
}
