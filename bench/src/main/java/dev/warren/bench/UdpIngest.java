package dev.warren.bench;

import dev.warren.demos.UdpLoadGenerator;
import dev.warren.net.UdpStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.source.UdpLineSource;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 6 §4: UDP ingest with hiveparser's built-in generator ({@link UdpLoadGenerator}, one
 * {@code KEY VALUE TS} line per datagram, paced) on loopback, side by side in one JVM:
 * <ul>
 *   <li><b>warren</b> — a {@code StreamJob} on {@code Sources.udpLines} (8 MiB SO_RCVBUF requested):
 *       every datagram decoded, parsed, keyed, routed to its shard and counted in 1 s tumbling windows.</li>
 *   <li><b>raw drain</b> — the ceiling: one platform thread receiving on a {@code DatagramChannel} with
 *       the same buffer and doing nothing with the bytes.</li>
 * </ul>
 * For each target rate: datagrams/s accepted (read by the receiver, over the sending time) and the drop
 * rate (datagrams sent but dropped by the kernel, as {@code sent - received} after the receiver caught up;
 * for warren also checked against the kernel's {@code drops} counter the job reports).
 *
 * <pre>
 * java -cp 'bench/target/warren-bench.jar:bench/target/lib/*' dev.warren.bench.UdpIngest [seconds] [rate...]
 * </pre>
 */
public final class UdpIngest {
    private static final int KEYS = 1_000;
    private static final int RCVBUF = 8 << 20;
    private static final int SENDERS = Integer.getInteger("senders", 1);

    private UdpIngest() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long[] rates = new long[Math.max(1, args.length - 1)];
        if (args.length > 1) {
            for (int i = 1; i < args.length; i++) {
                rates[i - 1] = Long.parseLong(args[i]);
            }
        } else {
            rates = new long[] {400_000, 2_000_000};
        }
        System.out.printf(
                Locale.ROOT,
                "# %d cores, java %s, %d s per run, %,d keys, %d sender(s), loopback, SO_RCVBUF asked %d MiB"
                        + " (rmem_max caps it)%n",
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                seconds,
                KEYS,
                SENDERS,
                RCVBUF >> 20);
        warren(100_000, 1); // warm-up
        raw(100_000, 1);
        for (long rate : rates) {
            Result w = warren(rate, seconds);
            Result r = raw(rate, seconds);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT target=%,d/s  warren %,.0f dgram/s accepted, %.2f%% dropped (%.2fx)"
                            + "  raw-drain %,.0f dgram/s, %.2f%% dropped (1.0x)%n",
                    rate,
                    w.acceptedPerSec(),
                    w.dropPct(),
                    w.acceptedPerSec() / r.acceptedPerSec(),
                    r.acceptedPerSec(),
                    r.dropPct());
        }
    }

    record Result(long sent, long received, double seconds) {
        double acceptedPerSec() {
            return received / seconds;
        }

        double dropPct() {
            return sent == 0 ? 0 : 100.0 * (sent - received) / sent;
        }
    }

    private static Result warren(long rate, int seconds) throws Exception {
        AtomicLong counted = new AtomicLong();
        UdpLineSource udp = Sources.udpLines(InetAddress.getLoopbackAddress(), 0, RCVBUF, Sources.DEFAULT_MAX_LINE);
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("udp-ingest")
                .source(udp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .queueCapacity(16_384)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .sink(r -> counted.addAndGet(r.value()))
                .start();
        long sent;
        double secs;
        UdpStats st;
        try (job) {
            int port = udp.awaitPort(Duration.ofSeconds(10));
            long t0 = System.nanoTime();
            sent = generate(port, rate, seconds);
            secs = (System.nanoTime() - t0) / 1e9;
            // Let the receiver empty the socket buffer: done when every datagram is read or dropped.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                st = udp.receiverStats();
                long dropped = Math.max(0, st.kernelDrops());
                if (st.datagrams() + dropped >= sent || System.nanoTime() > deadline) {
                    break;
                }
                Thread.onSpinWait();
            }
            while (job.stats().eventsIn() < st.datagrams() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        if (counted.get() != st.datagrams()) {
            throw new AssertionError("warren counted " + counted.get() + " events of " + st.datagrams() + " datagrams");
        }
        System.out.printf(
                Locale.ROOT,
                "warren     target %,9d/s  sent %,10d (%,.0f/s)  accepted %,10d (%,.0f/s)  kernel drops %,d"
                        + " (sent-received %,d)  rcvbuf %,d%n",
                rate,
                sent,
                sent / secs,
                st.datagrams(),
                st.datagrams() / secs,
                st.kernelDrops(),
                sent - st.datagrams(),
                st.receiveBufferSize());
        return new Result(sent, st.datagrams(), secs);
    }

    /**
     * Runs {@code senders} generators of {@code rate / senders} lines/s each, on platform threads (like an
     * external sender process: a generator far behind its schedule never parks, and as a tasklet it would
     * compete with the receiver for the carriers); returns the datagrams sent.
     */
    private static long generate(int port, long rate, int seconds) throws InterruptedException {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        java.util.List<UdpLoadGenerator> gens = new java.util.ArrayList<>();
        java.util.List<Thread> running = new java.util.ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            UdpLoadGenerator g = new UdpLoadGenerator(to, Math.max(1, rate / SENDERS), KEYS, 0);
            gens.add(g);
            running.add(Thread.ofPlatform().name("udp-sender-" + i).start(() -> g.run(Duration.ofSeconds(seconds))));
        }
        for (Thread t : running) {
            t.join();
        }
        return gens.stream().mapToLong(UdpLoadGenerator::sent).sum();
    }

    private static Result raw(long rate, int seconds) throws Exception {
        AtomicLong received = new AtomicLong();
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            Thread rx = Thread.ofPlatform().name("raw-drain").start(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(65536);
                try {
                    while (true) {
                        buf.clear();
                        ch.receive(buf);
                        received.incrementAndGet();
                    }
                } catch (ClosedChannelException done) {
                    // closed by the main thread
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long t0 = System.nanoTime();
            long sent = generate(port, rate, seconds);
            double secs = (System.nanoTime() - t0) / 1e9;
            // Settle: the receiver stops gaining once the socket buffer is empty.
            long last = -1;
            long stableSince = System.nanoTime();
            while (received.get() < sent && System.nanoTime() - stableSince < 500_000_000L) {
                long now = received.get();
                if (now != last) {
                    last = now;
                    stableSince = System.nanoTime();
                }
                Thread.onSpinWait();
            }
            ch.close(); // ends the receiver's blocking receive
            rx.join();
            long got = received.get();
            System.out.printf(
                    Locale.ROOT,
                    "raw-drain  target %,9d/s  sent %,10d (%,.0f/s)  accepted %,10d (%,.0f/s)  sent-received %,d%n",
                    rate,
                    sent,
                    sent / secs,
                    got,
                    got / secs,
                    sent - got);
            return new Result(sent, got, secs);
        } finally {
            ch.close();
        }
    }
}
