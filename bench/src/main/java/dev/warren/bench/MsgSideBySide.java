package dev.warren.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Warren's {@code MessageServer} against a Netty 4.2 server (native epoll by default, {@code --netty nio} for NIO) ({@link MsgPeerServer}), each in its own
 * process, driven by the same client (this program: plain blocking sockets on platform threads, fixed32
 * frames, 110-byte payloads). Scenarios, each run for both servers back to back:
 *
 * <ul>
 *   <li>{@code sink1}: one connection writes pre-encoded frames in 64 KiB blocks as fast as the server
 *       reads them, then half-closes; the time runs until the server has read everything and closed
 *       (it closes when it sees the end of stream). The server's message count is checked.
 *   <li>{@code sink4}: the same on four connections at once.
 *   <li>{@code echo}: one connection, one message at a time: write, wait for the echo; msg/s and
 *       p50/p99 round-trip latency.
 *   <li>{@code idle}: 10,000 idle connections; heap (after GC) and RSS growth of the server process per
 *       connection.
 * </ul>
 *
 * <p>Usage: {@code MsgSideBySide [--only sink1,sink4,echo,idle] [--messages N] [--rounds R]
 * [--idle N] [--warren-jvm "OPTIONS"]}. Each throughput figure is the best of R rounds (default 3).
 * {@code --warren-jvm} adds JVM options to Warren's server process only, for tuning experiments.
 */
public final class MsgSideBySide {
    private static final int SIZE = 110;
    private static final int MAX = 4096;
    private static final int FRAME = SIZE + 4;
    /** Warren, and the Netty peer: its native epoll transport by default (what Netty users run on Linux). */
    private static final String[] SERVERS = {"warren", "netty-epoll"};
    /** Extra JVM options for Warren's server process only (for tuning experiments; none by default). */
    // Warren's process runs as the launchers run it (docs/ARCHITECTURE.md, "Poller threads")
    private static List<String> warrenJvm = List.of("-Djdk.pollerMode=1");

    private MsgSideBySide() {}

    public static void main(String[] args) throws Exception {
        Set<String> only = Set.of("sink1", "sink4", "echo", "echo100", "idle");
        long messages = 5_000_000;
        int rounds = 3;
        int idle = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--only" -> only = Set.of(args[++i].split(","));
                case "--messages" -> messages = Long.parseLong(args[++i].replace("_", ""));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i].replace("_", ""));
                case "--warren-jvm" -> warrenJvm = List.of(args[++i].trim().split("\\s+"));
                case "--netty" ->
                    SERVERS[1] = switch (args[++i]) {
                        case "nio" -> "netty";
                        case "epoll" -> "netty-epoll";
                        default -> throw new IllegalArgumentException("--netty must be nio or epoll, was " + args[i]);
                    };
                default -> {
                    System.err.println("usage: MsgSideBySide [--only sink1,sink4,echo,echo100,idle] [--messages N] "
                            + "[--rounds R] [--idle N] [--netty nio|epoll]; unknown argument '" + args[i] + "'");
                    System.exit(2);
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "messaging side by side: %d-byte payloads, fixed32 frames, %s, JDK %s, %d cores%n",
                SIZE,
                "client = this process (blocking sockets, platform threads)",
                Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        Map<String, String[]> table = new LinkedHashMap<>();
        if (only.contains("sink1")) {
            table.put("sink, 1 connection (msg/s)", sinkBoth(1, messages, rounds));
        }
        if (only.contains("sink4")) {
            table.put("sink, 4 connections (msg/s)", sinkBoth(4, messages, rounds));
        }
        if (only.contains("echo")) {
            String[][] e = echoBoth(rounds, 1);
            table.put("echo round trips, 1 connection (msg/s)", e[0]);
            table.put("echo round trip p50, 1 connection (us)", e[1]);
            table.put("echo round trip p99, 1 connection (us)", e[2]);
        }
        if (only.contains("echo100")) {
            String[][] e = echoBoth(rounds, 100);
            table.put("echo round trips, 100 connections (msg/s)", e[0]);
            table.put("echo round trip p50, 100 connections (us)", e[1]);
            table.put("echo round trip p99, 100 connections (us)", e[2]);
        }
        if (only.contains("idle")) {
            String[][] m = idleBoth(idle);
            table.put("idle connections: heap per connection (bytes)", m[0]);
            table.put("idle connections: RSS per connection (bytes)", m[1]);
        }
        System.out.println();
        String netty = SERVERS[1].equals("netty") ? "Netty NIO" : "Netty epoll";
        System.out.printf(Locale.ROOT, "| %-46s | %14s | %14s | %12s |%n", "", "Warren", netty, "Warren/Netty");
        System.out.printf(
                Locale.ROOT, "|%s|%s|%s|%s|%n", "-".repeat(48), "-".repeat(16), "-".repeat(16), "-".repeat(14));
        table.forEach(
                (k, v) -> System.out.printf(Locale.ROOT, "| %-46s | %14s | %14s | %12s |%n", k, v[0], v[1], v[2]));
    }

    // ------------------------------------------------------------------ server processes

    /** A server process and its command pipe. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final PrintWriter in;
        final int port;

        Peer(String kind, String mode) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "--enable-native-access=ALL-UNNAMED"));
            if (kind.equals("warren")) {
                cmd.addAll(warrenJvm);
            }
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    MsgPeerServer.class.getName(),
                    kind,
                    mode,
                    String.valueOf(MAX)));
            process = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            String ready = out.readLine();
            if (ready == null || !ready.startsWith("READY ")) {
                process.destroyForcibly();
                throw new IOException(kind + " server did not start: " + ready);
            }
            port = Integer.parseInt(ready.substring(6).trim());
        }

        String[] ask(String command) throws IOException {
            in.println(command);
            String line = out.readLine();
            if (line == null) {
                throw new IOException("server process ended");
            }
            return line.split(" ");
        }

        long messages() throws IOException {
            return Long.parseLong(ask("msgs")[1]);
        }

        long connections() throws IOException {
            return Long.parseLong(ask("conns")[1]);
        }

        @Override
        public void close() {
            in.println("quit");
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String[] row(double warren, double netty, String fmt) {
        return new String[] {
            String.format(Locale.ROOT, fmt, warren),
            String.format(Locale.ROOT, fmt, netty),
            String.format(Locale.ROOT, "%.2fx", warren / netty)
        };
    }

    // ------------------------------------------------------------------ sink

    private static String[] sinkBoth(int connections, long messages, int rounds) throws Exception {
        double[] best = new double[2];
        for (int s = 0; s < SERVERS.length; s++) {
            try (Peer peer = new Peer(SERVERS[s], "sink")) {
                sink(peer, connections, messages / 5); // warm-up
                for (int r = 0; r < rounds; r++) {
                    double rate = sink(peer, connections, messages);
                    System.out.printf(
                            Locale.ROOT,
                            "  %-6s sink %d conn round %d: %,.0f msg/s%n",
                            SERVERS[s],
                            connections,
                            r,
                            rate);
                    best[s] = Math.max(best[s], rate);
                }
            }
        }
        return row(best[0], best[1], "%,.0f");
    }

    private static byte[] frames(int count) {
        ByteBuffer b = ByteBuffer.allocate(count * FRAME);
        for (int i = 0; i < count; i++) {
            b.putInt(SIZE);
            for (int j = 0; j < SIZE; j++) {
                b.put((byte) (i + j));
            }
        }
        return b.array();
    }

    /** Sends {@code messages} frames split over {@code connections}; returns msg/s until the server had them all. */
    private static double sink(Peer peer, int connections, long messages) throws Exception {
        long before = peer.messages();
        long per = messages / connections;
        int perBlock = 65536 / FRAME;
        byte[] block = frames(perBlock);
        CyclicBarrier go = new CyclicBarrier(connections + 1);
        long[] end = new long[connections];
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int k = 0; k < connections; k++) {
            int id = k;
            Thread t = new Thread(
                    () -> {
                        try (Socket s = new Socket()) {
                            s.setTcpNoDelay(true);
                            s.connect(new InetSocketAddress("127.0.0.1", peer.port));
                            OutputStream o = s.getOutputStream();
                            InputStream i = s.getInputStream();
                            go.await();
                            long left = per;
                            while (left >= perBlock) {
                                o.write(block);
                                left -= perBlock;
                            }
                            o.write(block, 0, (int) left * FRAME);
                            s.shutdownOutput();
                            if (i.read() != -1) {
                                throw new IOException("a sink server sent something");
                            }
                            end[id] = System.nanoTime();
                        } catch (Exception e) {
                            failure[0] = e;
                        }
                    },
                    "sink client " + k);
            t.start();
            threads.add(t);
        }
        go.await();
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException("sink client failed", failure[0]);
        }
        long last = Arrays.stream(end).max().orElseThrow();
        long got = peer.messages() - before;
        if (got != per * connections) {
            throw new IllegalStateException("server counted " + got + " messages, " + per * connections + " were sent");
        }
        return per * connections / ((last - start) / 1e9);
    }

    // ------------------------------------------------------------------ echo

    private static String[][] echoBoth(int rounds, int connections) throws Exception {
        double[] rate = new double[2];
        double[] p50 = new double[2];
        double[] p99 = new double[2];
        for (int s = 0; s < SERVERS.length; s++) {
            try (Peer peer = new Peer(SERVERS[s], "echo")) {
                echo(peer, 50_000, connections); // warm-up
                for (int r = 0; r < rounds; r++) {
                    double[] res = echo(peer, 100_000, connections);
                    System.out.printf(
                            Locale.ROOT,
                            "  %-11s echo %d conn round %d: %,.0f msg/s, p50 %.1f us, p99 %.1f us%n",
                            SERVERS[s],
                            connections,
                            r,
                            res[0],
                            res[1],
                            res[2]);
                    if (res[0] > rate[s]) {
                        rate[s] = res[0];
                        p50[s] = res[1];
                        p99[s] = res[2];
                    }
                }
            }
        }
        return new String[][] {row(rate[0], rate[1], "%,.0f"), row(p50[0], p50[1], "%.1f"), row(p99[0], p99[1], "%.1f")
        };
    }

    /**
     * {@code n} round trips of one 110-byte message, spread over {@code connections} client threads each
     * with one message in flight; returns {msg/s, p50 us, p99 us} over all of them.
     */
    private static double[] echo(Peer peer, int n, int connections) throws Exception {
        int per = n / connections;
        long[] rtt = new long[per * connections];
        CyclicBarrier go = new CyclicBarrier(connections + 1);
        Throwable[] failure = new Throwable[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int base = c * per;
            threads.add(Thread.ofPlatform().name("echo client " + c).start(() -> {
                byte[] frame = frames(1);
                byte[] back = new byte[FRAME];
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress("127.0.0.1", peer.port));
                    OutputStream o = s.getOutputStream();
                    InputStream i = s.getInputStream();
                    go.await();
                    for (int k = 0; k < per; k++) {
                        long t0 = System.nanoTime();
                        o.write(frame);
                        if (i.readNBytes(back, 0, FRAME) != FRAME) {
                            throw new IOException("echo ended early");
                        }
                        rtt[base + k] = System.nanoTime() - t0;
                    }
                    if (!Arrays.equals(frame, back)) {
                        throw new IOException("the echo differs from what was sent");
                    }
                } catch (Exception e) {
                    failure[0] = e;
                }
            }));
        }
        go.await();
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        long took = System.nanoTime() - start;
        if (failure[0] != null) {
            throw new IllegalStateException("echo client failed", failure[0]);
        }
        Arrays.sort(rtt);
        return new double[] {rtt.length / (took / 1e9), rtt[rtt.length / 2] / 1e3, rtt[(int) (rtt.length * 0.99)] / 1e3
        };
    }

    // ------------------------------------------------------------------ idle

    private static String[][] idleBoth(int n) throws Exception {
        double[] heap = new double[2];
        double[] rss = new double[2];
        for (int s = 0; s < SERVERS.length; s++) {
            try (Peer peer = new Peer(SERVERS[s], "sink")) {
                sink(peer, 4, 200_000); // load the classes a connection needs, then measure from there
                String[] m0 = peer.ask("mem");
                List<Socket> sockets = new ArrayList<>(n);
                try {
                    for (int k = 0; k < n; k++) {
                        Socket c = new Socket();
                        c.connect(new InetSocketAddress("127.0.0.1", peer.port));
                        sockets.add(c);
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (peer.connections() < n) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(SERVERS[s] + " did not register " + n + " connections");
                        }
                        Thread.sleep(50);
                    }
                    String[] m1 = peer.ask("mem");
                    heap[s] = (Long.parseLong(m1[1]) - Long.parseLong(m0[1])) / (double) n;
                    rss[s] = (Long.parseLong(m1[2]) - Long.parseLong(m0[2])) / (double) n;
                    System.out.printf(
                            Locale.ROOT,
                            "  %-6s %d idle connections: heap %+,.0f B/conn, RSS %+,.0f B/conn%n",
                            SERVERS[s],
                            n,
                            heap[s],
                            rss[s]);
                } finally {
                    for (Socket c : sockets) {
                        c.close();
                    }
                }
            }
        }
        return new String[][] {row(heap[0], heap[1], "%,.0f"), row(rss[0], rss[1], "%,.0f")};
    }
}
