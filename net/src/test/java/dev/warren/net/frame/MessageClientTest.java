package dev.warren.net.frame;

import static dev.warren.net.frame.MsgTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.TcpServer;
import dev.warren.tasklets.ChannelFullException;
import dev.warren.tasklets.OverflowPolicy;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.testing.LogCapture;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MessageAccounting.class)
class MessageClientTest {

    /** Records which sequence numbers arrived, how often, and whether any byte was wrong. */
    static final class Sink implements MessageHandler {
        final ReentrantLock lock = new ReentrantLock();
        final BitSet seen = new BitSet();
        final LongAdder total = new LongAdder();
        final LongAdder corrupt = new LongAdder();
        final AtomicLong checksum = new AtomicLong();

        @Override
        public void onMessage(MessageConnection connection, ByteBuffer payload) {
            long seq = MsgTesting.check(payload);
            total.increment();
            if (seq < 0) {
                corrupt.increment();
                return;
            }
            lock.lock();
            try {
                if (!seen.get((int) seq)) {
                    seen.set((int) seq);
                    checksum.addAndGet(seq * 0x9E3779B97F4A7C15L);
                }
            } finally {
                lock.unlock();
            }
        }

        int distinct() {
            lock.lock();
            try {
                return seen.cardinality();
            } finally {
                lock.unlock();
            }
        }
    }

    static long expectedChecksum(int n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i * 0x9E3779B97F4A7C15L;
        }
        return sum;
    }

    private static MessageClient.Builder client(int port, String name) {
        return MessageClient.builder("127.0.0.1", port)
                .name(name)
                .reconnect(ReconnectPolicy.defaults().withDelays(Duration.ofMillis(5), Duration.ofMillis(100)));
    }

    @Test
    void sendsEveryMessageInOrderAtMostOnceWhenNothingFails() throws Exception {
        String sname = MsgTesting.unique("cli-sink");
        ConcurrentLinkedQueue<Long> order = new ConcurrentLinkedQueue<>();
        try (MessageServer server = MsgTesting.local(sname)
                .handler((c, p) -> order.add(MsgTesting.check(p)))
                .start()) {
            String cname = MsgTesting.unique("cli");
            try (MessageClient client = client(server.port(), cname).start()) {
                assertTrue(client.awaitUp(WAIT));
                for (int i = 0; i < 20_000; i++) {
                    client.send(MsgTesting.message(i, 110));
                }
                assertTrue(client.awaitIdle(WAIT));
                await().atMost(WAIT).until(() -> order.size() == 20_000);
                MessageClientStats st = client.stats();
                assertEquals(20_000, st.accepted());
                assertEquals(20_000, st.written());
                assertEquals(0, st.dropped());
                assertEquals(1, st.connects());
            }
            MsgTesting.assertNoTaskletNamed(cname);
            List<Long> got = new ArrayList<>(order);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(i, got.get(i), "message " + i);
            }
            assertEquals(20_000L * (110 + 3), server.stats().tcp().bytesIn()); // header DC 01 00 + 110 bytes
        }
    }

    @Test
    void oneFlushCarriesManyMessages() throws Exception {
        // A raw server that counts its socket reads: with batching, reads are far fewer than messages.
        LongAdder reads = new LongAdder();
        LongAdder bytes = new LongAdder();
        int n = 20_000;
        int frame = 110 + 3;
        try (TcpServer raw = TcpServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .inputBufferSize(64)
                .handler(c -> {
                    byte[] buf = new byte[1 << 16];
                    for (int r; (r = c.readUpTo(buf, 0, buf.length)) > 0; ) {
                        reads.increment();
                        bytes.add(r);
                    }
                })
                .start()) {
            String cname = MsgTesting.unique("cli-batch");
            try (MessageClient client = client(raw.port(), cname).start()) {
                for (int i = 0; i < n; i++) {
                    client.send(MsgTesting.message(i, 110));
                }
                assertTrue(client.awaitIdle(WAIT));
            }
            await().atMost(WAIT).until(() -> bytes.sum() == (long) n * frame);
            assertTrue(reads.sum() < n / 10, "reads " + reads.sum() + " for " + n + " messages");
        }
    }

    @Test
    void manyTaskletsSendAtOnceAndEachOnesOrderIsKept() throws Exception {
        int senders = 16;
        int each = 2000;
        ConcurrentLinkedQueue<Long> order = new ConcurrentLinkedQueue<>();
        try (MessageServer server = MsgTesting.local(MsgTesting.unique("cli-many"))
                .handler((c, p) -> order.add(MsgTesting.check(p)))
                .start()) {
            try (MessageClient client = client(server.port(), MsgTesting.unique("cli"))
                    .queueCapacity(64)
                    .start()) {
                try (var scope = TaskletScope.failFast("senders").deadline(WAIT).open()) {
                    for (int s = 0; s < senders; s++) {
                        long base = (long) s * each;
                        scope.fork("sender " + s, () -> {
                            for (int i = 0; i < each; i++) {
                                client.send(MsgTesting.message(base + i, 40));
                            }
                        });
                    }
                    scope.join();
                }
                assertTrue(client.awaitIdle(WAIT));
            }
            await().atMost(WAIT).until(() -> order.size() == senders * each);
            long[] last = new long[senders];
            java.util.Arrays.fill(last, -1);
            for (long seq : order) {
                int s = (int) (seq / each);
                assertTrue(seq > last[s], "sender " + s + " out of order: " + seq + " after " + last[s]);
                last[s] = seq;
            }
        }
    }

    @Test
    void repliesReachTheReceiver() throws Exception {
        ConcurrentLinkedQueue<Long> replies = new ConcurrentLinkedQueue<>();
        try (MessageServer server = MsgTesting.local(MsgTesting.unique("cli-echo"))
                .handler(MsgTesting.ECHO)
                .start()) {
            for (DeliveryMode mode : DeliveryMode.values()) {
                replies.clear();
                try (MessageClient client = client(server.port(), MsgTesting.unique("cli"))
                        .delivery(mode)
                        .onMessage(p -> replies.add(MsgTesting.check(p)))
                        .start()) {
                    for (int i = 0; i < 1000; i++) {
                        client.send(MsgTesting.message(i, 100));
                    }
                    await().atMost(WAIT).until(() -> replies.size() == 1000);
                    assertEquals(1000, client.stats().received());
                    long expect = 0;
                    for (long r : replies) {
                        assertEquals(expect++, r, mode.toString());
                    }
                }
            }
        }
    }

    @Test
    void atLeastOnceDeliversEverythingAcrossAServerRestartOnTheSamePort() throws Exception {
        int n = 30_000;
        Sink sink = new Sink();
        String sname = MsgTesting.unique("alo-server");
        // The first server stalls after a quarter of the messages, so that when it stops some messages
        // are in flight unacknowledged (and some handled but not yet acknowledged: duplicates).
        CountDownLatch never = new CountDownLatch(1);
        MessageServer first = MsgTesting.local(sname)
                .drainTimeout(Duration.ofMillis(50))
                .handler((c, p) -> {
                    sink.onMessage(c, p);
                    if (sink.total.sum() >= n / 4) {
                        never.await(); // until close() cancels this connection
                    }
                })
                .start();
        int port = first.port();
        String cname = MsgTesting.unique("alo-client");
        CountDownLatch wentDown = new CountDownLatch(1);
        try (MessageClient client = client(port, cname)
                .delivery(DeliveryMode.AT_LEAST_ONCE)
                .queueCapacity(512)
                .listener(new MessageClient.Listener() {
                    @Override
                    public void down(MessageClient c, Throwable cause) {
                        wentDown.countDown();
                    }
                })
                .start()) {
            MessageServer second;
            try (var scope = TaskletScope.failFast("alo-sender")
                    .deadline(Duration.ofSeconds(60))
                    .open()) {
                scope.fork("sender", () -> {
                    for (int i = 0; i < n; i++) {
                        client.send(MsgTesting.message(i, 110));
                    }
                });
                // stop the server while the client is sending, then start another on the same port
                await().atMost(WAIT).until(() -> sink.total.sum() >= n / 4);
                first.close();
                assertTrue(wentDown.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
                second = MsgTesting.local(sname + "-again")
                        .port(port)
                        .handler(sink)
                        .start();
                scope.join();
            }
            try (second) {
                assertTrue(client.awaitIdle(WAIT), () -> client.stats().toString());
                assertEquals(n, sink.distinct(), "every message arrived");
                assertEquals(expectedChecksum(n), sink.checksum.get(), "checksum of the distinct messages");
                assertEquals(0, sink.corrupt.sum());
                MessageClientStats st = client.stats();
                assertEquals(n, st.accepted(), st.toString());
                assertEquals(0, st.unacknowledged(), st.toString());
                assertTrue(st.acknowledged() >= n, st.toString());
                assertTrue(st.resent() > 0, "the restart cut off unacknowledged messages: " + st);
                assertTrue(st.connects() >= 2, st.toString());
                assertTrue(sink.total.sum() >= n, "at least once");
            }
        }
        MsgTesting.assertNoTaskletNamed(cname);
    }

    @Test
    void atMostOnceCarriesOnAfterTheServerRestarts() throws Exception {
        Sink sink = new Sink();
        String sname = MsgTesting.unique("amo-server");
        MessageServer first = MsgTesting.local(sname).handler(sink).start();
        int port = first.port();
        try (MessageClient client =
                client(port, MsgTesting.unique("amo-client")).start()) {
            client.send(MsgTesting.message(0, 20));
            assertTrue(client.awaitIdle(WAIT));
            await().atMost(WAIT).until(() -> sink.total.sum() == 1);
            first.close();
            await().atMost(WAIT).until(() -> client.state() != MessageClient.State.UP);
            try (MessageServer second =
                    MsgTesting.local(sname + "-again").port(port).handler(sink).start()) {
                assertTrue(client.awaitUp(WAIT));
                client.send(MsgTesting.message(1, 20));
                await().atMost(WAIT).until(() -> sink.distinct() == 2);
                assertTrue(client.stats().connects() >= 2);
                assertTrue(second.stats().messagesIn() >= 1);
            }
        }
    }

    @Test
    void closeSendsWhatIsQueuedFirst() throws Exception {
        Sink sink = new Sink();
        try (MessageServer server =
                MsgTesting.local(MsgTesting.unique("close-drain")).handler(sink).start()) {
            MessageClient client =
                    client(server.port(), MsgTesting.unique("cli")).start();
            for (int i = 0; i < 5000; i++) {
                client.send(MsgTesting.message(i, 60));
            }
            client.close();
            assertEquals(MessageClient.State.CLOSED, client.state());
            assertEquals(0, client.stats().abandoned());
            MessageAccounting.assertAccounted(client);
            await().atMost(WAIT).until(() -> sink.distinct() == 5000);
            assertThrows(IllegalStateException.class, () -> client.send(new byte[1]));
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void overflowPoliciesDropOrFailWhenNobodyListens() throws Exception {
        int port = closedPort();
        try (MessageClient drop = client(port, MsgTesting.unique("drop"))
                .queueCapacity(4)
                .overflow(OverflowPolicy.DROP_NEWEST)
                .drainTimeout(Duration.ZERO)
                .start()) {
            int queued = 0;
            for (int i = 0; i < 10; i++) {
                if (drop.send(new byte[] {(byte) i})) {
                    queued++;
                }
            }
            assertEquals(4, queued);
            assertEquals(6, drop.stats().dropped());
            assertFalse(drop.awaitIdle(Duration.ofMillis(20)));
        }
        try (MessageClient fail = client(port, MsgTesting.unique("fail"))
                .queueCapacity(2)
                .overflow(OverflowPolicy.FAIL)
                .drainTimeout(Duration.ZERO)
                .start()) {
            fail.send(new byte[1]);
            fail.send(new byte[1]);
            assertThrows(ChannelFullException.class, () -> fail.send(new byte[1]));
            assertEquals(0, fail.stats().dropped()); // refused, not dropped: the caller still holds it
        }
    }

    @Test
    void closeCountsEachUndeliveredMessageOnceAsAbandoned() throws Exception {
        // Nothing listens: the 10 messages stay queued until close() gives up on them after the drain.
        String cname = MsgTesting.unique("undelivered");
        MessageClient client =
                client(closedPort(), cname).drainTimeout(Duration.ofMillis(100)).start();
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 10; i++) {
                assertTrue(client.send(new byte[] {(byte) i}));
            }
            client.close();
            MessageClientStats st = client.stats();
            assertEquals(10, st.accepted(), st.toString());
            assertEquals(10, st.abandoned(), st.toString());
            assertEquals(0, st.queued(), st.toString());
            MessageAccounting.assertAccounted(client);
            assertEquals(
                    1,
                    log.lines(cname + ": closed with 10 messages not delivered").size(),
                    log.text());
        }
        MsgTesting.assertNoTaskletNamed(cname);
    }

    @Test
    void atMostOnceCountsABatchLostWithItsConnectionAsAbandoned() throws Exception {
        // The first connection is never read: the writer ends up blocked in a write, with a batch taken
        // from the queue, when the server hangs up with unread bytes (a reset). That batch is gone, and
        // must be counted so. Later connections read everything.
        CountDownLatch hangUp = new CountDownLatch(1);
        LongAdder connections = new LongAdder();
        try (TcpServer raw = TcpServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .handler(c -> {
                    connections.increment();
                    if (connections.sum() == 1) {
                        hangUp.await();
                        c.abort();
                        return;
                    }
                    byte[] buf = new byte[1 << 16];
                    while (c.readUpTo(buf, 0, buf.length) > 0) {
                        // drain
                    }
                })
                .start()) {
            int n = 10_000;
            MessageClient client = client(raw.port(), MsgTesting.unique("amo-reset"))
                    .queueCapacity(64)
                    .start();
            try (client;
                    var sender = TaskletScope.failFast("amo-reset sender").open()) {
                sender.fork("sender", () -> {
                    for (int i = 0; i < n; i++) {
                        client.send(MsgTesting.message(i, 4000));
                    }
                });
                // a full queue: the writer is stuck in a write with its batch
                await().atMost(WAIT).until(() -> client.stats().queued() == 64);
                hangUp.countDown();
                sender.join();
                assertTrue(client.awaitIdle(WAIT), () -> client.stats().toString());
            }
            MessageClientStats st = client.stats();
            assertEquals(n, st.accepted(), st.toString());
            assertTrue(st.abandoned() > 0, st.toString());
            assertTrue(st.disconnects() >= 1, st.toString());
            MessageAccounting.assertAccounted(client);
        }
    }

    @Test
    void atLeastOnceCloseCountsUnacknowledgedAndQueuedMessagesOnce() throws Exception {
        // A server that never acknowledges: 3 messages go out and wait for acks, the rest wait in the queue.
        CountDownLatch never = new CountDownLatch(1);
        try (MessageServer server = MsgTesting.local(MsgTesting.unique("stuck"))
                .drainTimeout(Duration.ZERO)
                .handler((c, p) -> never.await())
                .start()) {
            MessageClient client = client(server.port(), MsgTesting.unique("alo-stuck"))
                    .delivery(DeliveryMode.AT_LEAST_ONCE)
                    .queueCapacity(3)
                    .drainTimeout(Duration.ofMillis(100))
                    .start();
            assertTrue(client.awaitUp(WAIT));
            for (int i = 0; i < 5; i++) {
                client.send(MsgTesting.message(i, 16));
            }
            await().atMost(WAIT).until(() -> client.stats().unacknowledged() == 3);
            client.close();
            MessageClientStats st = client.stats();
            assertEquals(5, st.accepted(), st.toString());
            assertEquals(0, st.acknowledged(), st.toString());
            assertEquals(5, st.abandoned(), st.toString());
            assertEquals(0, st.unacknowledged(), st.toString());
            MessageAccounting.assertAccounted(client);
        }
    }

    @Test
    void givesUpAfterTheConfiguredTimeAndSaysSo() throws Exception {
        int port = closedPort();
        AtomicReference<Throwable> gaveUp = new AtomicReference<>();
        CountDownLatch latch = new CountDownLatch(1);
        String cname = MsgTesting.unique("giveup");
        MessageClient client = client(port, cname)
                .reconnect(ReconnectPolicy.defaults()
                        .withDelays(Duration.ofMillis(5), Duration.ofMillis(20))
                        .withGiveUpAfter(Duration.ofMillis(200)))
                .listener(new MessageClient.Listener() {
                    @Override
                    public void gaveUp(MessageClient c, Throwable last) {
                        gaveUp.set(last);
                        latch.countDown();
                    }
                })
                .start();
        try (client) {
            client.send(new byte[] {1});
            assertTrue(latch.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(gaveUp.get() instanceof java.net.ConnectException, String.valueOf(gaveUp.get()));
            await().atMost(WAIT).until(() -> client.state() == MessageClient.State.CLOSED);
            assertThrows(IllegalStateException.class, () -> client.send(new byte[1]));
            assertTrue(client.stats().connectFailures() >= 2);
            assertEquals(1, client.stats().abandoned());
        }
        assertEquals(1, client.stats().abandoned(), "a close after giving up counts nothing again");
        MessageAccounting.assertAccounted(client);
        MsgTesting.assertNoTaskletNamed(cname);
    }

    @Test
    void anAtLeastOnceClientRefusesAPeerThatDoesNotAnswerTheHello() throws Exception {
        // acknowledgements off: the server takes the hello for a message and never acks
        LongAdder got = new LongAdder();
        try (MessageServer server = MsgTesting.local(MsgTesting.unique("no-acks"))
                .acknowledgements(false)
                .handler((c, p) -> got.increment())
                .start()) {
            try (MessageClient client = client(server.port(), MsgTesting.unique("cli"))
                    .delivery(DeliveryMode.AT_LEAST_ONCE)
                    .handshakeTimeout(Duration.ofMillis(100))
                    .reconnect(ReconnectPolicy.defaults()
                            .withDelays(Duration.ofMillis(5), Duration.ofMillis(20))
                            .withGiveUpAfter(Duration.ofMillis(600)))
                    .drainTimeout(Duration.ZERO)
                    .start()) {
                await().atMost(WAIT).until(() -> client.stats().disconnects() >= 2);
                assertFalse(client.state() == MessageClient.State.UP);
                // connections that never come up count toward giving up, like refused ones
                await().atMost(WAIT).until(() -> client.state() == MessageClient.State.CLOSED);
                assertEquals(0, client.stats().connects());
            }
            assertTrue(got.sum() >= 2, "each attempt's hello reached the handler as a message");
        }
    }

    @Test
    void sendRejectsOversizedMessagesNamingTheSize() throws Exception {
        try (MessageClient client = client(closedPort(), MsgTesting.unique("big"))
                .format(FrameFormat.fixed32(100))
                .drainTimeout(Duration.ZERO)
                .start()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.send(new byte[101]));
            assertTrue(e.getMessage().contains("101"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> MessageClient.builder("h", 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> MessageClient.builder("h", 1)
                        .delivery(DeliveryMode.AT_LEAST_ONCE)
                        .format(FrameFormat.buffStreams(8))
                        .start());
        assertThrows(
                IllegalArgumentException.class, () -> ReconnectPolicy.defaults().withGrowth(0.5, 0.1));
        assertThrows(
                IllegalArgumentException.class, () -> ReconnectPolicy.defaults().withGrowth(2, 1.5));
    }

    @Test
    void backoffGrowsIsCappedAndJittered() {
        ReconnectPolicy p = ReconnectPolicy.defaults().withDelays(Duration.ofMillis(10), Duration.ofMillis(1000));
        for (int attempt = 0; attempt < 20; attempt++) {
            long ms = p.delay(attempt).toMillis();
            long full = Math.min(1000, 10L << Math.min(attempt, 20));
            assertTrue(ms <= full && ms >= full / 2 - 1, "attempt " + attempt + ": " + ms + " ms, full " + full);
        }
        ReconnectPolicy noJitter = p.withGrowth(3, 0);
        assertEquals(Duration.ofMillis(90), noJitter.delay(2));
        assertEquals(Duration.ofSeconds(1), noJitter.delay(30));
    }

    @Test
    void theConnectionEndingMidFrameIsAFailureTheClientSurvives() throws Exception {
        // a raw server that answers with half a frame and hangs up: the client redials
        LongAdder accepted = new LongAdder();
        try (TcpServer raw = TcpServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .handler(c -> {
                    accepted.increment();
                    c.write(Frames.hex("DC 01 00 01")).flush();
                })
                .start()) {
            try (MessageClient client = client(raw.port(), MsgTesting.unique("cli"))
                    .drainTimeout(Duration.ZERO)
                    .start()) {
                await().atMost(WAIT).until(() -> client.stats().disconnects() >= 2);
                assertTrue(accepted.sum() >= 2);
            }
        }
    }
}
