package dev.warren.net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A peer that never answers the close frame: close() gives up after its wait, even with no idle timeout. */
class WebSocketCloseWaitTest {
    @Test
    void closeReturnsWhenThePeerNeverAnswers() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Tasklet<Void> peer = Tasklets.start("silent-peer", () -> {
                try (Socket c = fake.accept()) {
                    InputStream in = c.getInputStream();
                    String key = WsFrames.readHead(in)
                            .lines()
                            .filter(l -> l.startsWith("Sec-WebSocket-Key:"))
                            .findFirst()
                            .orElseThrow()
                            .substring(18)
                            .strip();
                    c.getOutputStream()
                            .write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                            + "Sec-WebSocket-Accept: " + WsSession.accept(key) + "\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
                    while (in.read() >= 0) {
                        // takes the close frame, never answers it
                    }
                } catch (IOException e) {
                    // the client gave up and closed: what this peer waits for
                }
                done.countDown();
            });
            WebSocket ws = WebSocketClient.connect(URI.create("ws://127.0.0.1:" + fake.getLocalPort() + "/"));
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ws.close()); // gives up after 5 s
            assertFalse(ws.isOpen());
            assertEquals(WebSocket.NORMAL, ws.closeCode());
            done.await();
            peer.join();
        }
    }
}
