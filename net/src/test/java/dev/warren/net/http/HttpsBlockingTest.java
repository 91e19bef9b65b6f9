package dev.warren.net.http;

/** Every {@link HttpsTest} with blocking sockets under TLS, not the reactor. */
class HttpsBlockingTest extends HttpsTest {
    @Override
    boolean reactor() {
        return false;
    }
}
