package dev.warren.net.frame;

import static dev.warren.net.frame.MsgTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.ConnectOptions;
import dev.warren.net.Connection;
import dev.warren.net.TcpClient;
import dev.warren.tasklets.TaskletScope;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

/** Many message connections at once on loopback, bounded in count and time. */
@ExtendWith(MessageAccounting.class)
class MessageLoadTest {

    @RepeatedTest(2)
    void thousandConcurrentConnectionsExchangeMessages() throws Exception {
        int connections = 1000;
        int messages = 20;
        String sname = MsgTesting.unique("msg-load");
        try (MessageServer server =
                MsgTesting.local(sname).handler(MsgTesting.ECHO).start()) {
            CountDownLatch allConnected = new CountDownLatch(connections);
            try (var clients = TaskletScope.failFast("msg-clients")
                    .deadline(Duration.ofSeconds(60))
                    .open()) {
                for (int i = 0; i < connections; i++) {
                    int id = i;
                    clients.fork("msg-client " + i, () -> {
                        try (Connection c = TcpClient.connect(
                                "127.0.0.1",
                                server.port(),
                                ConnectOptions.defaults().withReadTimeout(WAIT))) {
                            FrameWriter w = FrameWriter.of(c.outputStream(), server.format(), 4096);
                            FrameReader r = FrameReader.of(c.inputStream(), server.format(), 4096);
                            allConnected.countDown();
                            allConnected.await(); // all of them are open at the same time
                            for (int m = 0; m < messages; m++) {
                                long seq = (long) id * messages + m;
                                w.write(MsgTesting.message(seq, 64 + m));
                                w.flush();
                                byte[] back = r.read();
                                if (back == null || MsgTesting.check(java.nio.ByteBuffer.wrap(back)) != seq) {
                                    throw new AssertionError("client " + id + " message " + m + " came back wrong");
                                }
                            }
                        }
                    });
                }
                clients.join();
            }
            await().atMost(WAIT).until(() -> server.stats().tcp().closed(CloseReason.NORMAL) == connections);
            MessageServerStats st = server.stats();
            assertEquals((long) connections * messages, st.messagesIn());
            assertEquals((long) connections * messages, st.messagesOut());
            assertEquals(connections, st.tcp().accepted());
            assertEquals(st.tcp().bytesIn(), st.tcp().bytesOut());
        }
        MsgTesting.assertNoTaskletNamed(sname);
    }

    @RepeatedTest(2)
    void thousandMessageClientsAtOnce() throws Exception {
        int clients = 1000;
        int messages = 10;
        AtomicLong replies = new AtomicLong();
        String sname = MsgTesting.unique("msg-load-clients");
        try (MessageServer server =
                MsgTesting.local(sname).handler(MsgTesting.ECHO).start()) {
            MessageClient[] cs = new MessageClient[clients];
            for (int i = 0; i < clients; i++) {
                cs[i] = MessageClient.builder("127.0.0.1", server.port())
                        .name(sname + " client " + i)
                        .queueCapacity(16)
                        .onMessage(p -> replies.incrementAndGet())
                        .start();
            }
            try {
                for (int m = 0; m < messages; m++) {
                    for (MessageClient c : cs) {
                        c.send(MsgTesting.message(m, 32));
                    }
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> replies.get() == (long) clients * messages);
            } finally {
                try (var closers = TaskletScope.supervise("closers").open()) {
                    for (MessageClient c : cs) {
                        closers.fork("close " + c.name(), c::close);
                    }
                    closers.join();
                }
            }
            for (MessageClient c : cs) {
                assertEquals(MessageClient.State.CLOSED, c.state());
                assertEquals(0, c.stats().abandoned());
                MessageAccounting.assertAccounted(c);
            }
            assertEquals((long) clients * messages, server.stats().messagesIn());
        }
        MsgTesting.assertNoTaskletNamed(sname);
    }

    @RepeatedTest(2)
    void closeUnderLoadReturnsWithinTheDrainTimeoutAndLeavesNoTasklet() throws Exception {
        int connections = 100;
        Duration drain = Duration.ofMillis(300);
        String sname = MsgTesting.unique("msg-busy");
        MessageServer server = MsgTesting.local(sname)
                .drainTimeout(drain)
                .handler(MsgTesting.ECHO)
                .start();
        AtomicLong echoed = new AtomicLong();
        CountDownLatch running = new CountDownLatch(connections);
        try (var clients = TaskletScope.supervise("msg-busy-clients").open()) {
            for (int i = 0; i < connections; i++) {
                clients.fork("busy client " + i, () -> {
                    try (Connection c = TcpClient.connect(
                            "127.0.0.1",
                            server.port(),
                            ConnectOptions.defaults().withReadTimeout(WAIT))) {
                        FrameWriter w = FrameWriter.of(c.outputStream(), server.format(), 4096);
                        FrameReader r = FrameReader.of(c.inputStream(), server.format(), 4096);
                        running.countDown();
                        for (int m = 0; ; m++) { // until the server goes away
                            for (int k = 0; k < 10; k++) {
                                w.write(MsgTesting.message(m, 100));
                            }
                            w.flush();
                            for (int k = 0; k < 10; k++) {
                                if (r.read() == null) {
                                    return;
                                }
                            }
                            echoed.addAndGet(10);
                        }
                    } catch (IOException expected) {
                        // reset or closed by the shutdown: the point of the test
                    }
                });
            }
            running.await();
            await().atMost(WAIT).until(() -> echoed.get() > 100L * connections);
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(drain.plusSeconds(3)) < 0, "close took " + took);
            MsgTesting.assertNoTaskletNamed(sname);
            clients.join();
        }
        MessageServerStats st = server.stats();
        assertEquals(0, st.tcp().active(), st.toString());
        // each connection was either waiting for its next batch (closed at once, a normal end) or busy with
        // one (finished, or cancelled after the drain): nothing else
        assertEquals(
                st.tcp().accepted(),
                st.tcp().closed(CloseReason.NORMAL) + st.tcp().closed(CloseReason.SHUTDOWN),
                st.toString());
    }
}
