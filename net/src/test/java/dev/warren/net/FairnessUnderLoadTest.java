package dev.warren.net;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that keep a server's connection tasklets busy without ever making them wait (they pipeline
 * requests and read every answer at once, read a long body as fast as it comes, flood framed messages
 * or datagrams), more of them than there are carriers: a bystander must still be served while they go
 * on. Before fair turns, two such HTTP clients on two carriers kept {@code ./http_server} from
 * answering anyone for as long as they lasted. The hostile clients are platform threads, so the
 * operating system keeps the client side fair; the bounds are liveness bounds, not timings (the
 * hostile clients stop only after the bystander is through, or after {@link #LIVENESS_SECONDS}).
 *
 * <p>Run with {@code -Dwarren.fairness.sliceMicros=0} (fair turns off) and the pipelining and the
 * framed-message tests fail: the bystander is never served. The long-body and datagram tests are
 * liveness checks of the same loops; on a small machine their clients, which share the cores with the
 * server, do not outpace it for long enough to starve a bystander without fairness.
 */
class FairnessUnderLoadTest {
    private static final int LIVENESS_SECONDS = 60;
    private static final byte[] PIPELINED =
            "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n".repeat(16).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_BODY = "GET /long HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong hostileBytes = new AtomicLong();
    private final List<Thread> hostiles = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        stop.set(true);
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        for (Thread t : hostiles) {
            t.join(TimeUnit.SECONDS.toMillis(LIVENESS_SECONDS));
        }
    }

    private static int hostileCount() {
        return Math.min(32, 2 * Runtime.getRuntime().availableProcessors());
    }

    private void hostile(String name, Runnable body) {
        hostiles.add(Thread.ofPlatform().daemon().name(name).start(body));
    }

    private HttpServer http(boolean reactor) {
        Router router = Router.builder()
                .get("/hello/{name}", req -> Response.ok("hello " + req.pathParam("name") + "\n"))
                .get(
                        "/stream",
                        req -> Response.status(200).stream("text/plain", out -> {
                            for (int i = 0; i < 1000; i++) { // a thousand small chunks, each flushed: a write each
                                out.write(("chunk " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            }
                        }))
                .get(
                        "/long",
                        req -> Response.status(200).stream("text/plain", out -> {
                            byte[] kb = new byte[1024];
                            while (!stop.get()) { // until the test is over: the client reads as fast as it comes
                                out.write(kb);
                                out.flush();
                            }
                        }))
                .build();
        HttpServer server = HttpServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .reactor(reactor)
                .drainTimeout(Duration.ZERO)
                .handler(router)
                .start();
        closeables.add(server);
        return server;
    }

    private void awaitHostilesRunning() {
        await().atMost(Duration.ofSeconds(LIVENESS_SECONDS)).until(() -> hostileBytes.get() >= 1 << 20);
    }

    private void assertHostilesStillRunning() {
        long before = hostileBytes.get();
        for (Thread t : hostiles) {
            assertTrue(t.isAlive(), t.getName() + " stopped before the bystander was served");
        }
        assertTrue(before > 0);
    }

    /** A GET on a new connection, as curl does; the answer's status line and body. */
    private static String bystanderGet(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), LIVENESS_SECONDS * 1000);
            s.setSoTimeout(LIVENESS_SECONDS * 1000);
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return all.substring(0, all.indexOf("\r\n")) + " " + all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }

    @ParameterizedTest(name = "reactor={0}")
    @ValueSource(booleans = {true, false})
    void pipeliningClientsThatReadEveryAnswerDoNotStarveABystander(boolean reactor) throws Exception {
        HttpServer server = http(reactor);
        for (int i = 0; i < hostileCount(); i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            closeables.add(s);
            hostile("pipeliner-" + i, () -> {
                try {
                    OutputStream out = s.getOutputStream();
                    while (!stop.get()) {
                        out.write(PIPELINED);
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            hostile("reader-" + i, () -> drain(s));
        }
        awaitHostilesRunning();
        for (int i = 0; i < 3; i++) {
            assertEquals("HTTP/1.1 200 OK hello bystander\n", bystanderGet(server.port(), "/hello/bystander"));
        }
        assertHostilesStillRunning();
    }

    @ParameterizedTest(name = "reactor={0}")
    @ValueSource(booleans = {true, false})
    void clientsReadingLongBodiesAsFastAsTheyComeDoNotStarveABystander(boolean reactor) throws Exception {
        HttpServer server = http(reactor);
        for (int i = 0; i < hostileCount(); i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            closeables.add(s);
            s.getOutputStream().write(LONG_BODY);
            hostile("long-reader-" + i, () -> drain(s));
        }
        awaitHostilesRunning();
        for (int i = 0; i < 3; i++) {
            assertEquals("HTTP/1.1 200 OK hello bystander\n", bystanderGet(server.port(), "/hello/bystander"));
        }
        assertHostilesStillRunning();
    }

    /** About 10 µs of a handler's work, so that the server cannot keep up with its clients. */
    private static void work() {
        long t = System.nanoTime();
        while (System.nanoTime() - t < 10_000) {
            Thread.onSpinWait();
        }
    }

    private void drain(Socket s) {
        byte[] buf = new byte[1 << 16];
        try {
            InputStream in = s.getInputStream();
            for (int n; !stop.get() && (n = in.read(buf)) >= 0; ) {
                hostileBytes.addAndGet(n);
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    @RepeatedTest(2)
    void clientsFloodingFramedMessagesDoNotStarveABystander() throws Exception {
        FrameFormat f = FrameFormat.buffStreams(4096);
        MessageServer server = MessageServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .format(f)
                .drainTimeout(Duration.ZERO)
                .handler((conn, payload) -> {
                    if (payload.remaining() == 3) { // the bystander's "hi?": answered
                        conn.reply(payload);
                    } else {
                        work(); // the server cannot keep up: its input buffers stay full, reads never wait
                    }
                })
                .start();
        closeables.add(server);
        ByteBuffer batch = ByteBuffer.allocate(64 * 1024);
        byte[] msg = new byte[100];
        while (batch.remaining() >= f.headerSize() + msg.length) {
            f.encode(msg, batch);
        }
        byte[] flood = java.util.Arrays.copyOf(batch.array(), batch.position());
        for (int i = 0; i < hostileCount(); i++) {
            Socket s = new Socket("127.0.0.1", server.port());
            closeables.add(s);
            hostile("flooder-" + i, () -> {
                try {
                    OutputStream out = s.getOutputStream();
                    while (!stop.get()) {
                        out.write(flood);
                        hostileBytes.addAndGet(flood.length);
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }
        awaitHostilesRunning();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(LIVENESS_SECONDS * 1000);
            ByteBuffer hi = ByteBuffer.allocate(f.headerSize() + 3);
            f.encode("hi?".getBytes(StandardCharsets.US_ASCII), hi);
            s.getOutputStream().write(hi.array());
            byte[] answer = s.getInputStream().readNBytes(hi.capacity());
            assertEquals("hi?", new String(answer, f.headerSize(), 3, StandardCharsets.US_ASCII));
        }
        assertHostilesStillRunning();
    }

    @Test
    void aFloodOfDatagramsDoesNotStarveABystander() throws Exception {
        AtomicLong datagrams = new AtomicLong();
        UdpReceiver rx = UdpReceiver.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .handler((data, from) -> {
                    datagrams.incrementAndGet();
                    for (int w = 0; w < 10; w++) {
                        work(); // far slower than the flood: the socket always has a datagram ready
                    }
                })
                .start();
        closeables.add(rx);
        // other UDP receivers, each flooded, so that every carrier has a receiver that never waits
        List<UdpReceiver> more = new ArrayList<>();
        for (int i = 1; i < hostileCount(); i++) {
            UdpReceiver r = UdpReceiver.builder()
                    .bindAddress("127.0.0.1")
                    .port(0)
                    .handler((data, from) -> {
                        datagrams.incrementAndGet();
                        work(); // slower than the flood: the socket always has a datagram ready
                    })
                    .start();
            closeables.add(r);
            more.add(r);
        }
        more.add(rx);
        for (UdpReceiver r : more) {
            hostile("udp-flooder-" + r.port(), () -> {
                byte[] payload = new byte[64];
                try (DatagramSocket out = new DatagramSocket()) {
                    DatagramPacket p =
                            new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), r.port());
                    while (!stop.get()) {
                        out.send(p);
                        hostileBytes.addAndGet(payload.length);
                    }
                } catch (IOException e) {
                    // the test is over
                }
            });
        }
        awaitHostilesRunning();
        // a tasklet started from this platform thread, as a server's acceptor wakes a new connection's
        CountDownLatch ran = new CountDownLatch(1);
        dev.warren.tasklets.Tasklets.start("bystander", ran::countDown);
        assertTrue(ran.await(LIVENESS_SECONDS, TimeUnit.SECONDS), "the bystander tasklet never ran");
        assertTrue(datagrams.get() > 0);
        assertHostilesStillRunning();
    }
}
