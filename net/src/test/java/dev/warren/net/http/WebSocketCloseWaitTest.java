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
                    WsFrames.answer101(c, "");
                    InputStream in = c.getInputStream();
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
