package dev.warren.streaming;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warren.net.CloseReason;
import dev.warren.net.ConnectionLimitPolicy;
import dev.warren.net.ListenerOptions;
import dev.warren.net.UdpStats;
import dev.warren.net.frame.FrameFormat;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.source.TcpFrameSource;
import dev.warren.streaming.source.UdpLineSource;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.streaming.window.Windows;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The UDP line and framed TCP sources on loopback. */
class NetSourcesTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Map<String, Stats> totals(ConcurrentLinkedQueue<WindowResult<String, Stats>> out) {
        Map<String, Stats> m = new HashMap<>();
        for (WindowResult<String, Stats> r : out) {
            m.merge(
                    r.key(),
                    r.value(),
                    (a, b) -> new Stats(
                            a.count() + b.count(),
                            a.sum() + b.sum(),
                            Math.min(a.min(), b.min()),
                            Math.max(a.max(), b.max())));
        }
        return m;
    }

    @Test
    void udpLinesOneOrSeveralPerDatagramWithParseErrorsCounted() throws Exception {
        ConcurrentLinkedQueue<WindowResult<String, Stats>> out = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<ParseError> errors = new ConcurrentLinkedQueue<>();
        UdpLineSource udp = Sources.udpLines(LOOPBACK, 0, 1 << 20, 100);
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("udp-lines")
                .source(udp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(3)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.stats(KeyValue::value))
                .sink(out::add)
                .onParseError(errors::add)
                .start();
        long expectedEvents = 0;
        long expectedErrors = 0;
        Map<String, Double> sums = new HashMap<>();
        try (job;
                DatagramSocket tx = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, udp.awaitPort(WAIT));
            int datagrams = 0;
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 50; i++) {
                    int v = round * 50 + i;
                    String key = "k" + (v % 13);
                    String payload;
                    if (i % 5 == 0) { // three lines in one datagram, with a trailing newline
                        payload = key + " " + v + "\n" + key + " 1\r\n" + key + "\n";
                        expectedEvents += 3;
                        sums.merge(key, v + 2.0, Double::sum);
                    } else {
                        payload = key + " " + v;
                        expectedEvents++;
                        sums.merge(key, (double) v, Double::sum);
                    }
                    send(tx, to, payload);
                    datagrams++;
                }
                // Bounded bursts, each waited for: the kernel never has to drop one on loopback.
                int sent = datagrams;
                await().atMost(WAIT).until(() -> udp.receiverStats().datagrams() == sent);
            }
            send(tx, to, ""); // an empty datagram
            send(tx, to, "a 1\n\nb 2"); // an empty line between two good ones
            send(tx, to, "k1 notanumber");
            send(tx, to, "k" + "x".repeat(150) + " 1"); // over-long line
            send(tx, to, "k1 1 2 3"); // four fields
            expectedErrors += 5;
            expectedEvents += 2;
            sums.merge("a", 1.0, Double::sum);
            sums.merge("b", 2.0, Double::sum);
            long events = expectedEvents;
            long errs = expectedErrors;
            await().atMost(WAIT)
                    .untilAsserted(() -> assertEquals(
                            events + "/" + errs,
                            job.stats().eventsIn() + "/" + job.stats().parseErrors(),
                            job.stats().toString()));
        }
        JobStats st = job.stats();
        assertEquals(expectedErrors, errors.size());
        assertTrue(errors.stream().anyMatch(e -> e.reason().equals("empty datagram")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.reason().equals("empty line")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.reason().contains("not a number")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.reason().contains("longer than 100")), errors.toString());
        assertTrue(errors.stream().allMatch(e -> e.source().equals(udp.name())), errors.toString());
        SourceStats src = st.sources().stream()
                .filter(s -> s.name().equals(udp.name()))
                .findFirst()
                .orElseThrow();
        assertEquals(expectedEvents, src.emitted());
        assertEquals(expectedErrors, src.parseErrors());
        UdpStats rx = udp.receiverStats();
        if (rx.kernelDrops() >= 0) {
            assertEquals(0, rx.kernelDrops());
            assertEquals(0, src.upstreamDrops());
        }
        Map<String, Stats> t = totals(out);
        assertEquals(sums.keySet(), t.keySet());
        sums.forEach((k, sum) -> assertEquals(sum, t.get(k).sum(), 1e-9, k));
        assertEquals(expectedEvents, t.values().stream().mapToLong(Stats::count).sum());
    }

    @Test
    void kernelDropsOfTheUdpSocketAreInTheJobStats() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        UdpLineSource udp = Sources.udpLines(LOOPBACK, 0, 4096, 100);
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("udp-drops")
                .source(udp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(1)
                .queueCapacity(1)
                .handle((e, s) -> {
                    try {
                        release.await(); // the shard is stuck, so the receiver blocks, so the kernel drops
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                })
                .start();
        int sent = 3000;
        try (job;
                DatagramSocket tx = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, udp.awaitPort(WAIT));
            assumeTrue(udp.receiverStats().kernelDrops() >= 0, "the kernel reports no UDP drops here");
            for (int i = 0; i < sent; i++) {
                send(tx, to, "k" + (i % 7) + " " + i);
            }
            await().atMost(WAIT).until(() -> udp.receiverStats().kernelDrops() > 0);
            release.countDown();
            // Every datagram sent was either read or dropped by the kernel, and the job shows the drops.
            await().atMost(WAIT).untilAsserted(() -> {
                UdpStats s = udp.receiverStats();
                assertEquals(sent, s.datagrams() + s.kernelDrops(), s.toString());
            });
            UdpStats s = udp.receiverStats();
            await().atMost(WAIT).until(() -> job.stats().eventsIn() == s.datagrams());
            assertEquals(s.kernelDrops(), job.stats().upstreamDrops());
            assertEquals(
                    s.kernelDrops(),
                    job.stats().sources().stream()
                            .filter(x -> x.name().equals(udp.name()))
                            .findFirst()
                            .orElseThrow()
                            .upstreamDrops());
        }
        assertTrue(job.stats().upstreamDrops() > 0);
    }

    @Test
    void tcpFramesWithABadFrameClosingOnlyThatConnection() throws Exception {
        ConcurrentLinkedQueue<WindowResult<String, Stats>> out = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<ParseError> errors = new ConcurrentLinkedQueue<>();
        FrameFormat format = FrameFormat.fixed32(64);
        TcpFrameSource tcp = Sources.tcpFrames(LOOPBACK, 0, format, Duration.ofSeconds(1));
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("tcp-frames")
                .source(tcp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.stats(KeyValue::value))
                .sink(out::add)
                .onParseError(errors::add)
                .start();
        Map<String, Double> sums = new HashMap<>();
        try (job) {
            int port = tcp.awaitPort(WAIT);
            // Two well-behaved connections, with a few payloads that do not parse.
            for (int c = 0; c < 2; c++) {
                try (Socket s = new Socket(LOOPBACK, port)) {
                    OutputStream o = s.getOutputStream();
                    for (int i = 0; i < 500; i++) {
                        String key = "t" + (i % 11);
                        o.write(frame(format, key + " " + i));
                        sums.merge(key, (double) i, Double::sum);
                    }
                    o.write(frame(format, ""));
                    o.write(frame(format, "t1 NaNa"));
                    o.flush();
                }
            }
            // A connection announcing a frame above the maximum: a parse error, that connection closed.
            try (Socket s = new Socket(LOOPBACK, port)) {
                OutputStream o = s.getOutputStream();
                o.write(frame(format, "t0 1000"));
                sums.merge("t0", 1000.0, Double::sum);
                o.write(ByteBuffer.allocate(4).putInt(1 << 20).array());
                o.flush();
                // The server closes its side: reading sees the end of the stream.
                assertEquals(-1, s.getInputStream().read());
            }
            await().atMost(WAIT)
                    .untilAsserted(() -> assertEquals(
                            "1001/5",
                            job.stats().eventsIn() + "/" + job.stats().parseErrors(),
                            job.stats().toString()));
            assertEquals(1, tcp.serverStats().closed(CloseReason.PROTOCOL_ERROR));
            // The server lives on.
            try (Socket s = new Socket(LOOPBACK, port)) {
                s.getOutputStream().write(frame(format, "t5 5"));
                sums.merge("t5", 5.0, Double::sum);
            }
            await().atMost(WAIT).until(() -> job.stats().eventsIn() == 1002);
        }
        assertTrue(errors.stream().anyMatch(e -> e.reason().startsWith("bad frame (TOO_LARGE)")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.reason().equals("empty line")), errors.toString());
        assertEquals(5, errors.size(), errors.toString());
        Map<String, Stats> t = totals(out);
        assertEquals(sums.keySet(), t.keySet());
        sums.forEach((k, sum) -> assertEquals(sum, t.get(k).sum(), 1e-9, k));
        assertEquals(1002, t.values().stream().mapToLong(Stats::count).sum());
    }

    /** A source made from ListenerOptions: its name, address, limit and limit policy are the listener's. */
    @Test
    void tcpFramesOnTheListenerTheOptionsDescribe() throws Exception {
        FrameFormat format = FrameFormat.buffStreams(64);
        TcpFrameSource tcp = Sources.tcpFrames(
                ListenerOptions.defaults()
                        .withName("orders-in")
                        .withBindAddress(LOOPBACK)
                        .withMaxConnections(1)
                        .withLimitPolicy(ConnectionLimitPolicy.CLOSE),
                format);
        assertEquals("orders-in", tcp.name());
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("tcp-listener")
                .source(tcp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(1)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .start();
        try (job;
                Socket first = new Socket(LOOPBACK, tcp.awaitPort(WAIT))) {
            first.getOutputStream().write(frame(format, "k 1"));
            await().atMost(WAIT).until(() -> job.stats().eventsIn() == 1);
            try (Socket second = new Socket(LOOPBACK, tcp.awaitPort(WAIT))) {
                assertEquals(-1, second.getInputStream().read(), "the one connection allowed is taken");
            }
            assertEquals(1, tcp.serverStats().closed(CloseReason.LIMIT));
            assertTrue(
                    job.stats().sources().stream().anyMatch(st -> st.name().equals("orders-in")),
                    job.stats().toString());
        }
    }

    @Test
    void tcpShutdownDrainsWhatAnOpenConnectionAlreadySent() throws Exception {
        FrameFormat format = FrameFormat.buffStreams(64);
        TcpFrameSource tcp = Sources.tcpFrames(LOOPBACK, 0, format, Duration.ofSeconds(2));
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("tcp-drain")
                .source(tcp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .sink(out::add)
                .start();
        try (Socket s = new Socket(LOOPBACK, tcp.awaitPort(WAIT))) {
            OutputStream o = s.getOutputStream();
            for (int i = 0; i < 300; i++) {
                o.write(frame(format, "d" + (i % 3) + " " + i));
            }
            o.flush();
            await().atMost(WAIT).until(() -> tcp.serverStats().accepted() == 1);
            job.close(); // the connection is still open: its frames are read during the drain
            assertEquals(300, job.stats().eventsIn(), job.stats().toString());
            assertEquals(300, out.stream().mapToLong(WindowResult::value).sum());
            assertEquals(
                    1,
                    tcp.serverStats().closed(CloseReason.SHUTDOWN)
                            + tcp.serverStats().closed(CloseReason.NORMAL));
        }
    }

    @Test
    void tcpFramesTurnAwayRecordsOverTheLineLimitAndKeepTheRest() throws Exception {
        FrameFormat format = FrameFormat.buffStreams(4096);
        TcpFrameSource tcp = Sources.tcpFrames(
                dev.warren.net.ListenerOptions.defaults().withName("tcp-limit").withBindAddress(LOOPBACK), format, 16);
        ConcurrentLinkedQueue<WindowResult<String, Long>> out = new ConcurrentLinkedQueue<>();
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("tcp-limit")
                .source(tcp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofHours(1)), Aggregators.count())
                .sink(out::add)
                .start();
        try (Socket s = new Socket(LOOPBACK, tcp.awaitPort(WAIT))) {
            OutputStream o = s.getOutputStream();
            for (int i = 0; i < 500; i++) { // several batches of 128, and one record too long among them
                o.write(frame(format, i == 250 ? "k " + "9".repeat(40) : "k" + (i % 4) + " " + i));
            }
            o.flush();
            await().atMost(WAIT)
                    .until(() -> job.stats().eventsIn() + job.stats().parseErrors() == 500);
        }
        job.close();
        assertEquals(499, job.stats().eventsIn(), job.stats().toString());
        assertEquals(1, job.stats().parseErrors(), "the long one, counted");
        assertEquals(499, out.stream().mapToLong(WindowResult::value).sum());
        assertThrows(
                IllegalArgumentException.class,
                () -> Sources.tcpFrames(dev.warren.net.ListenerOptions.defaults(), format, 0));
    }

    private static void send(DatagramSocket tx, InetSocketAddress to, String payload) throws Exception {
        byte[] b = payload.getBytes(StandardCharsets.UTF_8);
        tx.send(new DatagramPacket(b, b.length, to));
    }

    private static byte[] frame(FrameFormat format, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(format.frameSize(p.length));
        format.encode(p, b);
        return b.array();
    }
}
