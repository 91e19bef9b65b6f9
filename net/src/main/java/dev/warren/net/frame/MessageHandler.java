package dev.warren.net.frame;

import java.nio.ByteBuffer;

/**
 * What a {@link MessageServer} runs for each message it receives.
 *
 * <p><b>Threading.</b> Called on the connection's own tasklet, one message at a time and in the order the
 * peer sent them; handlers of different connections run concurrently. The handler may block (that
 * connection's input waits meanwhile) and may reply through {@code connection}.
 *
 * <p><b>Ownership.</b> {@code payload} is a view of the server's read buffer, valid only until the
 * handler returns: copy what must outlive the call. The handler may move its position and limit.
 *
 * <p><b>Failures.</b> An exception closes this connection only (counted by the server as
 * {@link dev.warren.net.CloseReason#ERROR}, or per the exception's kind for I/O failures); the server and
 * its other connections carry on. In at-least-once mode a message whose handler threw is not
 * acknowledged, so the client sends it again after reconnecting.
 */
@FunctionalInterface
public interface MessageHandler {
    /**
     * Handles one message.
     *
     * @param connection the connection it came on: reply through it
     * @param payload the message's bytes (the frame's payload), valid until this method returns
     * @throws Exception to close this connection
     */
    void onMessage(MessageConnection connection, ByteBuffer payload) throws Exception;
}
