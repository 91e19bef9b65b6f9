package dev.warren.net.http;

/**
 * Every {@link HttpServerTest} again with {@code reactor(false)}: each connection reads its own blocking
 * socket (the default before JDK 24, and the choice of users who turn the reactor off).
 */
class HttpServerBlockingTest extends HttpServerTest {
    @Override
    HttpServer.Builder local() {
        return super.local().reactor(false);
    }
}
