package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.testing.Interrupts;
import dev.warren.tasklets.testing.LogCapture;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A server whose handler ignores the cancel cannot finish closing: past the drain, it says which one. */
class StuckServerCloseTest {

    @Test
    void aHandlerThatSwallowsItsCancelIsNamedWithItsStack() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TcpServer server = TcpServerTest.local()
                .name("stuck-server")
                .drainTimeout(Duration.ZERO)
                .closeWarningAfter(Duration.ofMillis(50))
                .handler(conn -> {
                    inHandler.countDown();
                    // the bug under test: the interrupt is swallowed, the closed socket never read
                    Interrupts.swallowUntil(release);
                })
                .start();
        try (LogCapture log = LogCapture.start();
                Connection c = TcpServerTest.connect(server)) {
            assertTrue(inHandler.await(20, java.util.concurrent.TimeUnit.SECONDS), c.toString());
            Tasklet<Void> closer = Tasklets.start("closer", server::close);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !log.lines("WARN", "scope 'stuck-server", "has been closing for")
                            .isEmpty());
            assertFalse(closer.isDone(), "close() still waits for the handler");
            String text = log.text();
            String report = text.substring(text.indexOf("scope 'stuck-server"));
            assertTrue(report.contains("tasklet 'conn 127.0.0.1:"), report);
            assertTrue(report.contains("at dev.warren.tasklets.testing.Interrupts.swallowUntil"), report);
            assertTrue(report.contains("at dev.warren.net.StuckServerCloseTest"), report);
            release.countDown();
            closer.join(Duration.ofSeconds(20));
        }
        assertTrue(server.awaitTermination(Duration.ZERO));
    }

    @Test
    void theWarningTimeIsCheckedWhenSet() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TcpServer.builder().closeWarningAfter(Duration.ZERO));
        assertEquals("closeWarningAfter must be > 0, was PT0S", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> dev.warren.net.http.HttpServer.builder().closeWarningAfter(Duration.ofMillis(-1)));
        assertEquals("closeWarningAfter must be > 0, was PT-0.001S", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> dev.warren.net.frame.MessageServer.builder().closeWarningAfter(Duration.ZERO));
        assertEquals("closeWarningAfter must be > 0, was PT0S", e.getMessage());
    }
}
