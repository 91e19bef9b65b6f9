package dev.warren.bench;

import dev.warren.net.http.HttpClient;
import dev.warren.net.http.WebSocket;
import dev.warren.net.http.WebSocketClient;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * WebSocket echo, Warren's {@code Router.websocket} against Netty 4.2's WebSocket codec on native epoll
 * ({@link WsPeer}, each server in a JVM of its own), driven by the same client (Warren's
 * {@link WebSocketClient}, one tasklet per connection, closed loop: send 110 bytes of text, wait for the
 * echo). Rounds alternate between the servers. Then heap per idle WebSocket on each server at
 * {@code --idle N} connections (heap after GC on the server, before and after).
 *
 * <p>{@code java ... dev.warren.bench.WsSideBySide [--rounds 3] [--seconds 5] [--idle 10000]} ({@code --rounds 0}:
 * the idle part only, {@code --idle 0}: the echo only)
 */
public final class WsSideBySide {
    private static final String[] PEERS = {"warren", "netty-epoll"};
    private static final String TEXT = "x".repeat(110);

    private WsSideBySide() {}

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int seconds = 5;
        int idle = 10_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        double[][] one = new double[PEERS.length][rounds];
        double[][] hundred = new double[PEERS.length][rounds];
        double[][] p99one = new double[PEERS.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int p = 0; p < PEERS.length; p++) {
                try (Peer peer = new Peer(PEERS[p])) {
                    echo(peer.port, 1, 2); // warm-up
                    echo(peer.port, 100, 2);
                    double[] a = echo(peer.port, 1, seconds);
                    double[] b = echo(peer.port, 100, seconds);
                    one[p][r] = a[0];
                    p99one[p][r] = a[1];
                    hundred[p][r] = b[0];
                    System.out.printf(
                            Locale.ROOT,
                            "  %-12s round %d: 1 conn %,.0f msg/s (p99 %.1f us), 100 conns %,.0f msg/s%n",
                            PEERS[p],
                            r,
                            a[0],
                            a[1],
                            b[0]);
                }
            }
        }
        if (rounds > 0) {
            System.out.println("== WebSocket echo, 110-byte text, medians of " + rounds + " rounds ==");
            System.out.printf(Locale.ROOT, "%-28s %14s %14s %12s%n", "", "Warren", "Netty epoll", "Warren/Netty");
            row("echo, 1 connection (msg/s)", median(one[0]), median(one[1]));
            row("echo p99, 1 connection (us)", median(p99one[0]), median(p99one[1]));
            row("echo, 100 connections (msg/s)", median(hundred[0]), median(hundred[1]));
        }
        if (idle > 0) {
            for (String kind : PEERS) {
                try (Peer peer = new Peer(kind)) {
                    long bytes = idleHeap(peer.port, idle);
                    System.out.printf(
                            Locale.ROOT,
                            "%s: %,d idle WebSockets: heap +%,d bytes per connection%n",
                            kind,
                            idle,
                            bytes);
                }
            }
        }
    }

    private static void row(String what, double warren, double netty) {
        System.out.printf(Locale.ROOT, "%-28s %,14.1f %,14.1f %11.2fx%n", what, warren, netty, warren / netty);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Closed-loop echo over {@code conns} connections for {@code seconds}: {msg/s, p99 µs of one connection}. */
    static double[] echo(int port, int conns, int seconds) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            sockets.add(WebSocketClient.connect(uri));
        }
        AtomicBoolean stop = new AtomicBoolean();
        long[][] latencies = new long[conns][];
        List<Tasklet<Long>> loops = new ArrayList<>();
        for (int i = 0; i < conns; i++) {
            WebSocket ws = sockets.get(i);
            int id = i;
            loops.add(Tasklets.start("ws-load-" + i, () -> {
                long n = 0;
                long[] lat = new long[1 << 16];
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    ws.sendText(TEXT);
                    ws.receive();
                    lat[(int) (n & (lat.length - 1))] = System.nanoTime() - t0;
                    n++;
                }
                latencies[id] = Arrays.copyOf(lat, (int) Math.min(n, lat.length));
                return n;
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // the measured period itself
        stop.set(true);
        long total = 0;
        for (Tasklet<Long> t : loops) {
            total += t.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        for (WebSocket ws : sockets) {
            ws.close();
        }
        long[] l = latencies[0].clone();
        Arrays.sort(l);
        double p99 = l.length == 0 ? 0 : l[(int) (l.length * 0.99)] / 1000.0;
        return new double[] {total / secs, p99};
    }

    /** Heap per idle WebSocket: the server's heap after GC before and after {@code n} connections. */
    static long idleHeap(int port, int n) throws Exception {
        try (HttpClient http = HttpClient.builder().build()) {
            long before = Long.parseLong(
                    http.get("127.0.0.1", port, "/mem").bodyString().strip());
            List<WebSocket> open = new ArrayList<>(n);
            try {
                for (int i = 0; i < n; i++) {
                    open.add(WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws")));
                }
                long after = Long.parseLong(
                        http.get("127.0.0.1", port, "/mem").bodyString().strip());
                return (after - before) / n;
            } finally {
                for (WebSocket ws : open) {
                    ws.close(); // waits for the server's answer, so the descriptors are free for the next peer
                }
            }
        }
    }

    /** A server JVM running {@link WsPeer}. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final int port;

        Peer(String kind) throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(
                            java,
                            "-Djdk.pollerMode=1",
                            "-Xmx2g",
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            WsPeer.class.getName(),
                            kind,
                            Integer.toString(port))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            if (ready == null || !ready.contains("listening on")) {
                process.destroyForcibly();
                throw new IOException(kind + " server did not start: " + ready);
            }
        }

        @Override
        public void close() {
            process.destroy();
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
}
