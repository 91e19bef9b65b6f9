package dev.warren.net.http;

/**
 * Serves one WebSocket, on the connection's own tasklet (see {@link Router.Builder#websocket}). When it
 * returns the connection is closed with 1000 (normal closure) unless it was closed already; when it throws,
 * with 1011 (internal error), and the failure is logged and counted as a handler error.
 */
@FunctionalInterface
public interface WebSocketHandler {
    /** Serves {@code ws} until it is closed or the work is done. */
    void serve(WebSocket ws) throws Exception;
}
