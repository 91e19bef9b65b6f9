package dev.warren.net.http;

/** permessage-deflate on connections that read their own sockets (no reactor). */
class WebSocketDeflateBlockingTest extends WebSocketDeflateTest {
    @Override
    boolean reactor() {
        return false;
    }
}
