package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class BuilderArgumentsTest {

    private static void says(String message, Executable bad) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, bad).getMessage());
    }

    @Test
    void serverOptionsNameTheBadValue() {
        says("port must be 0..65535, was 70000", () -> TcpServer.builder().port(70000));
        says("port must be 0..65535, was -1", () -> TcpServer.builder().port(-1));
        says("maxConnections must be > 0, was -3", () -> TcpServer.builder().maxConnections(-3));
        says("backlog must be > 0, was 0", () -> TcpServer.builder().backlog(0));
        says("inputBufferSize must be >= 64, was 3", () -> TcpServer.builder().inputBufferSize(3));
        says("outputBufferSize must be >= 64, was 0", () -> TcpServer.builder().outputBufferSize(0));
        says("readTimeout must be > 0, was PT-1S", () -> TcpServer.builder().readTimeout(Duration.ofSeconds(-1)));
        says("idleTimeout must be > 0, was PT0S", () -> TcpServer.builder().idleTimeout(Duration.ZERO));
        says(
                "drainTimeout must be >= 0, was PT-0.001S",
                () -> TcpServer.builder().drainTimeout(Duration.ofMillis(-1)));
        says(
                "bindAddress is not a known host or address, was 'no such host.invalid'",
                () -> TcpServer.builder().bindAddress("no such host.invalid"));
        assertEquals(
                "handler must be set before start()",
                assertThrows(
                                IllegalStateException.class,
                                () -> TcpServer.builder().start())
                        .getMessage());
    }

    @Test
    void bindingABusyPortSaysWhere() {
        try (TcpServer first = TcpServerTest.local().handler(c -> {}).start()) {
            UncheckedIOException e = assertThrows(
                    UncheckedIOException.class,
                    () -> TcpServerTest.local()
                            .reuseAddress(false)
                            .port(first.port())
                            .handler(c -> {})
                            .start());
            assertEquals(true, e.getMessage().startsWith("cannot listen on 127.0.0.1:" + first.port()), e.getMessage());
        }
    }

    @Test
    void clientOptionsNameTheBadValue() {
        says("port must be 1..65535, was 0", () -> TcpClient.connect("127.0.0.1", 0));
        says(
                "connectTimeout must be > 0, was PT0S",
                () -> ConnectOptions.defaults().withConnectTimeout(Duration.ZERO));
        says(
                "readTimeout must be > 0, was PT-5S",
                () -> ConnectOptions.defaults().withReadTimeout(Duration.ofSeconds(-5)));
        says(
                "inputBufferSize must be >= 64, was 10",
                () -> ConnectOptions.defaults().withBufferSizes(10, 100));
    }

    @Test
    void udpOptionsNameTheBadValue() {
        says("port must be 0..65535, was 65536", () -> UdpReceiver.builder().port(65536));
        says(
                "receiveBufferSize must be > 0, was -1",
                () -> UdpReceiver.builder().receiveBufferSize(-1));
        says(
                "maxDatagramSize must be 1..65507, was 70000",
                () -> UdpReceiver.builder().maxDatagramSize(70000));
        assertEquals(
                "handler must be set before start()",
                assertThrows(
                                IllegalStateException.class,
                                () -> UdpReceiver.builder().start())
                        .getMessage());
    }
}
