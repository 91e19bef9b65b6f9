package dev.warren.net;

/**
 * What a {@link TcpServer} runs for each accepted connection.
 *
 * <p><b>Threading.</b> Called once per connection, on that connection's own tasklet (a child of the
 * server's scope), so it may block freely: read the connection, call other services, write replies.
 * Handlers of different connections run concurrently; a handler needs no locking for its own
 * connection.
 *
 * <p><b>Ownership and closing.</b> The server owns the connection: when {@code handle} returns, the
 * server flushes what is still buffered and closes the socket (counted as
 * {@link CloseReason#NORMAL}). When it throws, only this connection is closed; the reason is derived
 * from the exception (see {@link CloseReason}) and counted in {@link TcpServerStats}. A handler
 * interrupted (the server is closing and the drain timeout passed) should return promptly.
 */
@FunctionalInterface
public interface ConnectionHandler {
    /**
     * Serves one connection until the conversation ends.
     *
     * @param connection the accepted connection, owned by the server
     * @throws Exception to end the conversation abnormally; closes this connection only
     */
    void handle(Connection connection) throws Exception;
}
