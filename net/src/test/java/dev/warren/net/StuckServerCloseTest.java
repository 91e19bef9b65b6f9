package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import dev.warren.tasklets.testing.LogCapture;
import java.time.Duration;
import java.util.List;
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
                .handler(conn -> {
                    inHandler.countDown();
                    for (; ; ) { // the bug under test: the interrupt is swallowed, the closed socket never read
                        try {
                            release.await();
                            return;
                        } catch (InterruptedException swallowed) {
                            // ignored
                        }
                    }
                })
                .start();
        try (LogCapture log = LogCapture.start();
                Connection c = TcpServerTest.connect(server)) {
            assertTrue(inHandler.await(20, java.util.concurrent.TimeUnit.SECONDS), c.toString());
            Tasklet<Void> closer = Tasklets.start("closer", server::close);
            Duration first = TaskletScope.DEFAULT_CLOSE_WARNING;
            await().atMost(first.plusSeconds(20))
                    .until(() -> !log.lines("WARN", "scope 'stuck-server", "has been closing for")
                            .isEmpty());
            assertFalse(closer.isDone(), "close() still waits for the handler");
            String text = log.text();
            String report = text.substring(text.indexOf("scope 'stuck-server"));
            assertTrue(report.contains("tasklet 'conn 127.0.0.1:"), report);
            assertTrue(report.contains("at dev.warren.net.StuckServerCloseTest"), report);
            release.countDown();
            closer.join(Duration.ofSeconds(20));
            List<String> reports = log.lines("has been closing for");
            assertEquals(1, reports.size(), "one report in the first pause: " + reports);
        }
        assertTrue(server.awaitTermination(Duration.ZERO));
    }
}
