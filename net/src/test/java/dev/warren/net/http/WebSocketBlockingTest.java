package dev.warren.net.http;

/** The WebSocket contract on connections that read their own sockets (no reactor). */
class WebSocketBlockingTest extends WebSocketTest {
    @Override
    boolean reactor() {
        return false;
    }
}
