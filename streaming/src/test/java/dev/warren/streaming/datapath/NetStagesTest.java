package dev.warren.streaming.datapath;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.MessageServer;
import java.io.ByteArrayOutputStream;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The network stages: tcpsock (raw and framed), udpsock, and the tcp sink into a MessageServer. */
class NetStagesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static int port(Datapath dp, int stage) {
        return ((Number) dp.stats().get(stage).state().get("port")).intValue();
    }

    /** The seed's example, in process: bytes in over TCP, compressed blocks out of the stream, decompressed back. */
    @Test
    void theSeedsExampleCompressesWhatArrivesOverTcp() throws Exception {
        byte[] data = new byte[200_000];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + r.nextInt(6));
        }
        try (Datapath dp = Datapaths.insert("(tcpsock,bind=127.0.0.1,expression=0) > (compress,export,name=n1)");
                StreamReader reader = Streams.open("n1")) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port(dp, 0))) {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 7000) {
                    out.write(data, off, Math.min(7000, data.length - off));
                    out.flush();
                }
            }
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (plain.size() < data.length) {
                int n = reader.read(buf, 0, buf.length, WAIT);
                assertTrue(n > 0, "the stream ended or stalled at " + plain.size() + " of " + data.length);
                compressed.write(buf, 0, n);
                plain.reset();
                try (InputStream z = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed.toByteArray()))) {
                    z.transferTo(plain);
                } catch (java.io.EOFException partialMember) {
                    // a block read in several calls: read on
                }
            }
            assertArrayEquals(data, plain.toByteArray());
        }
    }

    @Test
    void framedConnectionsPushOneBlockPerFrameAndABadFrameClosesOnlyItsConnection() throws Exception {
        try (Datapath dp =
                Datapaths.insert("(tcpsock,bind=127.0.0.1,port=0,framing=fixed32,max=100) > (record,tag=N2)")) {
            int port = port(dp, 0);
            FrameFormat f = FrameFormat.fixed32(100);
            try (Socket good = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket bad = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream g = good.getOutputStream();
                for (String m : List.of("first", "second", "third")) {
                    ByteBuffer frame = ByteBuffer.allocate(64);
                    f.encode(m.getBytes(StandardCharsets.UTF_8), frame);
                    g.write(frame.array(), 0, frame.position());
                }
                g.flush();
                bad.getOutputStream().write(new byte[] {0, 0, 1, 0}); // 256 > max 100
                bad.getOutputStream().flush();
                await().atMost(WAIT).until(() -> TestStages.seen("N2").size() == 3);
                assertEquals(-1, bad.getInputStream().read(), "the bad connection is closed");
            }
            assertEquals(List.of("first", "second", "third"), TestStages.seen("N2"));
            await().atMost(WAIT)
                    .until(() ->
                            Long.valueOf(1).equals(dp.stats().get(0).state().get("bad_frames")));
        }
    }

    @Test
    void severalConnectionsTakeTurnsAndEveryByteArrives() throws Exception {
        int conns = 4;
        int perConn = 50_000;
        try (Datapath dp = Datapaths.insert("(tcpsock,bind=127.0.0.1,port=0,block=1k) > (count)")) {
            int port = port(dp, 0);
            List<Thread> senders = new java.util.ArrayList<>();
            for (int c = 0; c < conns; c++) {
                senders.add(Thread.ofPlatform().start(() -> {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.getOutputStream().write(new byte[perConn]);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : senders) {
                t.join();
            }
            await().atMost(WAIT)
                    .until(() -> Long.valueOf((long) conns * perConn)
                            .equals(dp.stats().get(1).state().get("bytes")));
            assertEquals(0, dp.stats().get(1).errors());
        }
    }

    @Test
    void udpDatagramsAreBlocks() throws Exception {
        try (Datapath dp = Datapaths.insert("(udpsock,bind=127.0.0.1,port=0) > (record,tag=N4)");
                DatagramSocket tx = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port(dp, 0));
            for (String m : List.of("d1", "d2", "d3")) {
                byte[] b = m.getBytes(StandardCharsets.UTF_8);
                tx.send(new DatagramPacket(b, b.length, to));
            }
            await().atMost(WAIT).until(() -> TestStages.seen("N4").size() == 3);
            assertEquals(List.of("d1", "d2", "d3"), TestStages.seen("N4"));
        }
    }

    @Test
    void theTcpSinkSendsEveryBlockAsAFrameToAMessageServer() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (MessageServer server = MessageServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .format(FrameFormat.buffStreams(4096))
                .handler((conn, payload) ->
                        received.add(StandardCharsets.UTF_8.decode(payload).toString()))
                .start()) {
            try (Datapath dp = Datapaths.insert("(gen,count=500) > (tcp,port=" + server.port() + ")")) {
                assertTrue(dp.awaitDone(WAIT), "endOfInput waits until everything was written");
                await().atMost(WAIT)
                        .failFast(() -> false)
                        .alias("500 received; got " + received.size() + " and " + dp.report())
                        .until(() -> received.size() == 500);
                assertEquals("1 x", received.get(0));
                assertEquals("500 x", received.get(499));
                assertEquals(500L, dp.stats().get(1).state().get("written"));
            }
        }
    }
}
