package dev.warren.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.frame.ConnectionManager;
import dev.warren.net.frame.FrameReader;
import dev.warren.net.frame.FrameWriter;
import dev.warren.net.frame.MessageAccounting;
import dev.warren.net.frame.MessageClient;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.frame.ReconnectPolicy;
import dev.warren.net.http.ClientResponse;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.tasklets.TaskletScope;
import dev.warren.tasklets.Tasklets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Servers and clients closed (or awaited) from their own handlers would wait for those handlers forever:
 * they throw {@link IllegalStateException}, say what to do instead, and keep running. Every test is
 * bounded, so a missing check fails it instead of hanging the suite.
 */
@ExtendWith(MessageAccounting.class)
class SelfCloseTest {
    static final Duration BOUND = Duration.ofSeconds(60);
    static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void warmSockets() throws Exception {
        new java.net.Socket().close(); // class initialisation on this platform thread, not in a tasklet
    }

    @Test
    void aTcpHandlerCannotCloseOrAwaitItsServer() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<TcpServer> self = new AtomicReference<>();
            AtomicReference<Throwable> onClose = new AtomicReference<>();
            AtomicReference<Throwable> onAwait = new AtomicReference<>();
            TcpServer server = TcpServerTest.local()
                    .name("self-closing")
                    .handler(conn -> {
                        TcpServer s = self.get();
                        assertTrue(s.isCallerInside());
                        onClose.set(assertThrows(IllegalStateException.class, s::close));
                        onAwait.set(assertThrows(IllegalStateException.class, () -> s.awaitTermination(WAIT)));
                        // a tasklet below the handler is inside too
                        try (var scope = TaskletScope.failFast("handler's own").open()) {
                            scope.fork("below", () -> assertThrows(IllegalStateException.class, s::awaitTermination));
                            scope.join();
                        }
                        conn.writeLine("still serving").flush();
                    })
                    .start();
            self.set(server);
            try (server) {
                assertFalse(server.isCallerInside());
                try (Connection c = TcpServerTest.connect(server)) {
                    assertEquals("still serving", c.readLine(100));
                }
                assertFalse(server.isClosing(), "the refused close changed nothing");
            }
            assertTrue(server.awaitTermination(Duration.ZERO));
            String m = onClose.get().getMessage();
            assertTrue(m.contains("server 'self-closing") && m.contains("cannot be closed from its own tasklet"), m);
            assertTrue(m.contains("Tasklets.start(\"shutdown\", server::close)"), m);
            assertTrue(
                    onAwait.get().getMessage().contains("cannot be awaited"),
                    onAwait.get().getMessage());
        });
    }

    @Test
    void anHttpHandlerCannotCloseItsServerButCanHaveItClosedElsewhere() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<HttpServer> self = new AtomicReference<>();
            CountDownLatch closedInTheBackground = new CountDownLatch(1);
            Router router = Router.builder()
                    .get("/close", req -> {
                        IllegalStateException e = assertThrows(
                                IllegalStateException.class, () -> self.get().close());
                        assertThrows(
                                IllegalStateException.class, () -> self.get().awaitTermination());
                        return Response.ok(e.getMessage());
                    })
                    .get("/shutdown", req -> {
                        Tasklets.start("shutdown", () -> {
                            self.get().close();
                            closedInTheBackground.countDown();
                        });
                        return Response.ok("bye");
                    })
                    .build();
            HttpServer server = HttpServer.builder()
                    .name("self-closing-http")
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler(router)
                    .start();
            self.set(server);
            try (HttpClient client = HttpClient.builder().readTimeout(WAIT).build()) {
                ClientResponse r = client.get("127.0.0.1", server.port(), "/close");
                assertEquals(200, r.status());
                assertTrue(
                        r.bodyString()
                                .contains("HTTP server 'self-closing-http' cannot be closed from its own tasklet"),
                        r.bodyString());
                assertFalse(server.isClosing());
                assertEquals(
                        200, client.get("127.0.0.1", server.port(), "/close").status(), "still serving");
                assertEquals(
                        "bye",
                        client.get("127.0.0.1", server.port(), "/shutdown").bodyString());
            }
            assertTrue(closedInTheBackground.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(server.awaitTermination(WAIT));
            server.close(); // harmless again
        });
    }

    @Test
    void aUdpHandlerCannotCloseItsReceiverWhichKeepsReceiving() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<UdpReceiver> self = new AtomicReference<>();
            AtomicReference<Throwable> onClose = new AtomicReference<>();
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.ArrayBlockingQueue<>(10);
            UdpReceiver rx = UdpReceiver.builder()
                    .name("self-closing-udp")
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((data, from) -> {
                        String text = StandardCharsets.UTF_8.decode(data).toString();
                        if (text.equals("close yourself")) {
                            onClose.set(assertThrows(
                                    IllegalStateException.class,
                                    () -> self.get().close()));
                        }
                        got.add(text);
                    })
                    .start();
            self.set(rx);
            try (rx;
                    java.net.DatagramSocket tx = new java.net.DatagramSocket()) {
                java.net.InetSocketAddress to = new java.net.InetSocketAddress("127.0.0.1", rx.port());
                for (String text : new String[] {"close yourself", "still receiving"}) {
                    byte[] d = text.getBytes(StandardCharsets.UTF_8);
                    tx.send(new java.net.DatagramPacket(d, d.length, to));
                    assertEquals(text, got.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                }
            }
            String m = onClose.get().getMessage();
            assertTrue(m.contains("UDP receiver 'self-closing-udp") && m.contains("cannot be closed from its own"), m);
        });
    }

    @Test
    void aMessageHandlerCannotCloseItsServer() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<MessageServer> self = new AtomicReference<>();
            MessageServer server = MessageServer.builder()
                    .name("self-closing-msg")
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((conn, payload) -> {
                        IllegalStateException e = assertThrows(IllegalStateException.class, self.get()::close);
                        conn.reply(e.getMessage().getBytes(StandardCharsets.UTF_8));
                    })
                    .start();
            self.set(server);
            try (server;
                    Connection c = TcpClient.connect(
                            "127.0.0.1",
                            server.port(),
                            ConnectOptions.defaults().withReadTimeout(WAIT))) {
                FrameWriter w = FrameWriter.of(c.outputStream(), server.format());
                w.write(new byte[] {1});
                w.flush();
                byte[] reply = FrameReader.of(c.inputStream(), server.format()).read();
                String m = new String(reply, StandardCharsets.UTF_8);
                assertTrue(m.contains("server 'self-closing-msg") && m.contains("cannot be closed"), m);
            }
            assertTrue(server.awaitTermination(Duration.ZERO));
        });
    }

    @Test
    void aMessageClientsCallbacksCannotCloseIt() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<MessageClient> self = new AtomicReference<>();
            AtomicReference<Throwable> fromListener = new AtomicReference<>();
            AtomicReference<Throwable> fromReceiver = new AtomicReference<>();
            CountDownLatch replied = new CountDownLatch(1);
            try (MessageServer server = MessageServer.builder()
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((conn, payload) -> conn.reply(payload))
                    .start()) {
                MessageClient client = MessageClient.builder("127.0.0.1", server.port())
                        .name("self-closing-client")
                        .listener(new MessageClient.Listener() {
                            @Override
                            public void up(MessageClient c) {
                                fromListener.set(assertThrows(IllegalStateException.class, c::close));
                            }
                        })
                        .onMessage(p -> {
                            fromReceiver.set(assertThrows(
                                    IllegalStateException.class,
                                    () -> self.get().close()));
                            replied.countDown();
                        })
                        .start();
                self.set(client);
                try (client) {
                    assertTrue(client.awaitUp(WAIT));
                    client.send(new byte[] {7});
                    assertTrue(replied.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                    assertEquals(MessageClient.State.UP, client.state(), "the refused closes changed nothing");
                }
                assertEquals(MessageClient.State.CLOSED, client.state());
            }
            assertNotNull(fromListener.get());
            String m = fromReceiver.get().getMessage();
            assertTrue(m.contains("message client 'self-closing-client' cannot be closed from its own tasklet"), m);
        });
    }

    @Test
    void aPeerCallbackCannotCloseItsManagerOrRemoveItsOwnPeer() {
        assertTimeoutPreemptively(BOUND, () -> {
            AtomicReference<ConnectionManager> self = new AtomicReference<>();
            AtomicReference<Throwable> onClose = new AtomicReference<>();
            AtomicReference<Throwable> onRemove = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            try (MessageServer server = MessageServer.builder()
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((conn, payload) -> {})
                    .start()) {
                ConnectionManager m = ConnectionManager.builder()
                        .name("self-closing-mgr")
                        .reconnect(ReconnectPolicy.defaults().withDelays(Duration.ofMillis(5), Duration.ofMillis(50)))
                        .listener(new ConnectionManager.PeerListener() {
                            @Override
                            public void up(String peer) {
                                if (peer.equals("a")) {
                                    onClose.set(assertThrows(IllegalStateException.class, self.get()::close));
                                    onRemove.set(assertThrows(
                                            IllegalStateException.class,
                                            () -> self.get().remove("a")));
                                    done.countDown();
                                }
                            }
                        })
                        .build();
                self.set(m);
                try (m) {
                    m.add("a", "127.0.0.1", server.port());
                    assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                    assertTrue(m.peers().contains("a"), "the refused remove kept the peer");
                    assertTrue(m.send("a", new byte[] {1}), "and the refused close kept the manager open");
                }
                assertTrue(m.peers().isEmpty());
            }
            assertTrue(
                    onClose.get().getMessage().contains("self-closing-mgr a"),
                    onClose.get().getMessage());
            assertNotNull(onRemove.get());
        });
    }
}
