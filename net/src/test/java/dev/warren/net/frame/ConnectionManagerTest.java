package dev.warren.net.frame;

import static dev.warren.net.frame.MsgTesting.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.tasklets.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MessageAccounting.class)
class ConnectionManagerTest {

    /** Records peer events as "up a", "down a", "evicted a". */
    static final class Events implements ConnectionManager.PeerListener {
        final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();

        @Override
        public void up(String peer) {
            log.add("up " + peer);
        }

        @Override
        public void down(String peer, Throwable cause) {
            log.add("down " + peer);
        }

        @Override
        public void evicted(String peer, Throwable lastFailure) {
            log.add("evicted " + peer);
        }

        boolean has(String event) {
            return log.contains(event);
        }
    }

    private static ConnectionManager.Builder manager(String name, Events events) {
        return ConnectionManager.builder()
                .name(name)
                .listener(events)
                .reconnect(ReconnectPolicy.defaults().withDelays(Duration.ofMillis(5), Duration.ofMillis(50)))
                .drainTimeout(Duration.ofSeconds(2));
    }

    @Test
    void sendsToOnePeerAndBroadcastsToAll() throws Exception {
        LongAdder atA = new LongAdder();
        LongAdder atB = new LongAdder();
        Events events = new Events();
        ConcurrentLinkedQueue<String> replies = new ConcurrentLinkedQueue<>();
        String mname = MsgTesting.unique("mgr");
        try (MessageServer a = MsgTesting.local(MsgTesting.unique("peer-a"))
                        .handler((c, p) -> {
                            atA.increment();
                            c.reply(new byte[] {'a'});
                        })
                        .start();
                MessageServer b = MsgTesting.local(MsgTesting.unique("peer-b"))
                        .handler((c, p) -> atB.increment())
                        .start();
                ConnectionManager m = manager(mname, events)
                        .onMessage((peer, p) -> replies.add(peer + ":" + (char) p.get()))
                        .build()) {
            m.add("a", "127.0.0.1", a.port());
            m.add("b", "127.0.0.1", b.port());
            assertEquals(Set.of("a", "b"), m.peers());
            await().atMost(WAIT).until(() -> events.has("up a") && events.has("up b"));
            assertEquals(Optional.of(MessageClient.State.UP), m.state("a"));

            assertTrue(m.send("a", new byte[] {1}));
            assertEquals(2, m.broadcast(new byte[] {2}));
            await().atMost(WAIT).until(() -> atA.sum() == 2 && atB.sum() == 1);
            await().atMost(WAIT).until(() -> replies.size() == 2);
            assertEquals(List.of("a:a", "a:a"), List.copyOf(replies));
            assertEquals(2, m.stats().get("a").written());

            IllegalArgumentException dup =
                    assertThrows(IllegalArgumentException.class, () -> m.add("a", "127.0.0.1", a.port()));
            assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
            IllegalArgumentException unknown =
                    assertThrows(IllegalArgumentException.class, () -> m.send("x", new byte[1]));
            assertTrue(unknown.getMessage().contains("'x'"), unknown.getMessage());

            assertTrue(m.remove("b"));
            assertFalse(m.remove("b"));
            assertEquals(Set.of("a"), m.peers());
            assertEquals(1, m.broadcast(new byte[] {3}));
            await().atMost(WAIT).until(() -> atA.sum() == 3);
            assertEquals(1, atB.sum());
        }
        MsgTesting.assertNoTaskletNamed(mname);
    }

    @Test
    void evictsAPeerWhoseSocketDiedAndKeepsTheOthers() throws Exception {
        Events events = new Events();
        LongAdder atLive = new LongAdder();
        String mname = MsgTesting.unique("mgr");
        try (MessageServer live = MsgTesting.local(MsgTesting.unique("live"))
                        .handler((c, p) -> atLive.increment())
                        .start();
                ConnectionManager m = manager(mname, events)
                        .evictAfter(Duration.ofMillis(300))
                        .build()) {
            MessageServer doomed = MsgTesting.local(MsgTesting.unique("doomed"))
                    .drainTimeout(Duration.ZERO)
                    .handler((c, p) -> {})
                    .start();
            m.add("live", "127.0.0.1", live.port());
            m.add("doomed", "127.0.0.1", doomed.port());
            await().atMost(WAIT).until(() -> events.has("up live") && events.has("up doomed"));

            doomed.close(); // its socket dies; nothing listens on its port any more
            await().atMost(WAIT).until(() -> events.has("down doomed"));
            await().atMost(WAIT).until(() -> events.has("evicted doomed"));
            assertEquals(Set.of("live"), m.peers());
            assertEquals(Optional.empty(), m.state("doomed"));
            assertThrows(IllegalArgumentException.class, () -> m.send("doomed", new byte[1]));
            List<String> order = List.copyOf(events.log);
            assertTrue(order.indexOf("down doomed") < order.indexOf("evicted doomed"), order.toString());

            assertEquals(1, m.broadcast(new byte[] {9}));
            await().atMost(WAIT).until(() -> atLive.sum() == 1);
            assertFalse(events.has("down live"));
            // the evicted client was closed in the background: its tasklets go away
            await().atMost(WAIT).untilAsserted(() -> MsgTesting.assertNoTaskletNamed(mname + " doomed"));
        }
        MsgTesting.assertNoTaskletNamed(mname);
    }

    @Test
    void closingAManagerCountsAnUndeliveredBroadcastOncePerPeer() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String mname = MsgTesting.unique("mgr-undelivered");
        try (LogCapture log = LogCapture.start()) {
            try (ConnectionManager m = manager(mname, new Events())
                    .drainTimeout(Duration.ofMillis(100))
                    .build()) {
                m.add("p", "127.0.0.1", port);
                assertEquals(1, m.broadcast(new byte[] {1}));
                assertEquals(1, m.stats().get("p").accepted());
            }
            assertEquals(
                    1,
                    log.lines(mname + " p: closed with 1 messages not delivered")
                            .size(),
                    log.text());
        }
        MsgTesting.assertNoTaskletNamed(mname);
    }

    @Test
    void addAfterCloseAndBadOptionsAreRefused() {
        ConnectionManager m = ConnectionManager.builder().build();
        m.close();
        assertThrows(IllegalStateException.class, () -> m.add("a", "127.0.0.1", 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> ConnectionManager.builder().evictAfter(Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class,
                () -> ConnectionManager.builder().queueCapacity(0));
        try (ConnectionManager m2 = ConnectionManager.builder().build()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> m2.add("p", "127.0.0.1", 0));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
            assertEquals(Set.of(), m2.peers(), "a failed add leaves no peer behind");
        }
    }
}
