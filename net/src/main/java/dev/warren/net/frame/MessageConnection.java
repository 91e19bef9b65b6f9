package dev.warren.net.frame;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One connection of a {@link MessageServer}, as its {@link MessageHandler} sees it: where the messages
 * come from, and a way to reply.
 *
 * <p><b>Threading.</b> Only the connection's own tasklet (the one that runs the handler) may call
 * {@code reply} and {@code flush}; {@link #close()} and the queries may be called from any thread.
 *
 * <p><b>Batching.</b> Replies are buffered. The server flushes them when it has handled every message of
 * one read and is about to wait for more input, so a pipelining peer gets many replies per system call
 * and a request/response peer gets its reply at once. {@link #flush()} sends what is buffered now.
 */
public interface MessageConnection {

    /** The peer's address. */
    InetSocketAddress remoteAddress();

    /** Messages received on this connection so far, the current one included. */
    long messagesIn();

    /** Replies sent (buffered) on this connection so far. */
    long messagesOut();

    /**
     * Buffers one reply frame carrying {@code payload[offset .. offset+length)}; the array may be reused
     * as soon as this returns.
     *
     * @throws IllegalArgumentException if {@code length} is above the maximum message size (one byte less
     *     on an at-least-once connection, whose replies carry a type byte)
     * @throws IOException if the buffer had to be written and the socket failed
     */
    void reply(byte[] payload, int offset, int length) throws IOException;

    /** Like {@link #reply(byte[], int, int)} for the whole array. */
    default void reply(byte[] payload) throws IOException {
        reply(payload, 0, payload.length);
    }

    /**
     * Buffers one reply frame carrying {@code payload}'s remaining bytes and consumes them. The handler
     * may pass the message it received: that is an echo.
     */
    void reply(ByteBuffer payload) throws IOException;

    /** Writes every buffered reply to the socket now. */
    void flush() throws IOException;

    /** Whether this connection is in at-least-once mode (its client sent the acknowledgement hello). */
    boolean acknowledging();

    /** Closes the connection at once, discarding buffered replies; any thread. */
    void close();
}
