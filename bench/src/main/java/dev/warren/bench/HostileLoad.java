package dev.warren.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bystander's latency while hostile connections keep an HTTP server busy: the fairness run of
 * {@code make bench} ({@code SIDE=fair}, docs/BENCHMARKS.md).
 *
 * <p>{@code java ... dev.warren.bench.HostileLoad HOST PORT MODE N REQUESTS}: opens {@code N} hostile
 * connections, each with a writer thread that pipelines {@code GET /stream?n=1000} requests without
 * end and, in mode {@code pipe}, a reader thread that reads every answer as fast as it comes (in mode
 * {@code noread} nothing is ever read, so the server's writes fill the socket buffers), or in mode
 * {@code stream} a client that asks for {@code /stream?n=100000} again and again over keep-alive and
 * reads it. Once they run, a bystander makes {@code REQUESTS} requests for {@code /hello/bystander}, one
 * after the other, each on a new connection (as {@code curl} does), and the program prints their
 * latency (p50, p90, p99, max in ms), how many failed, and how many bytes the hostile connections
 * read meanwhile. Every client is a platform thread: the operating system keeps the client side fair,
 * so what is measured is the server's fairness. Everything is bounded: a bystander request gives up
 * after 30 s ({@code -Dhostile.timeoutMillis}; it then counts as failed and as that long), the run
 * after {@code REQUESTS} of them.
 */
public final class HostileLoad {
    private static final byte[] PIPELINED =
            "GET /stream?n=1000 HTTP/1.1\r\nHost: hostile\r\n\r\n".repeat(16).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_STREAM =
            "GET /stream?n=100000 HTTP/1.1\r\nHost: hostile\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BYSTANDER =
            "GET /hello/bystander HTTP/1.1\r\nHost: bystander\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
    /** How long a bystander request may take before it counts as failed: -Dhostile.timeoutMillis, default 30 s. */
    private static final int TIMEOUT_MILLIS = Integer.getInteger("hostile.timeoutMillis", 30_000);

    private HostileLoad() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !List.of("pipe", "noread", "stream").contains(args[2])) {
            System.err.println("usage: HostileLoad HOST PORT pipe|noread|stream N REQUESTS");
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        String mode = args[2];
        int n = Integer.parseInt(args[3]);
        int requests = Integer.parseInt(args[4]);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong hostileBytes = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(server, TIMEOUT_MILLIS);
            sockets.add(s);
            if (mode.equals("stream")) {
                threads.add(
                        Thread.ofPlatform().daemon().name("stream-" + i).start(() -> streamer(s, stop, hostileBytes)));
                continue;
            }
            threads.add(Thread.ofPlatform().daemon().name("pipeline-" + i).start(() -> pipeliner(s, stop)));
            if (mode.equals("pipe")) {
                threads.add(Thread.ofPlatform().daemon().name("reader-" + i).start(() -> drain(s, stop, hostileBytes)));
            }
        }
        // Let the hostile connections get going before the first bystander request.
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until && (mode.equals("noread") || hostileBytes.get() < 1 << 20)) {
            Thread.sleep(10);
        }
        double[] ms = new double[requests];
        int failed = 0;
        long before = hostileBytes.get();
        long t0 = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            boolean ok = bystander(server);
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (!ok) {
                failed++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long hostileRead = hostileBytes.get() - before;
        stop.set(true);
        for (Socket s : sockets) {
            s.close();
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
        Arrays.sort(ms);
        System.out.printf(
                "mode=%s hostile=%d bystander_requests=%d failed=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f"
                        + " hostile_MB_per_s=%.1f%n",
                mode,
                n,
                requests,
                failed,
                pct(ms, 0.50),
                pct(ms, 0.90),
                pct(ms, 0.99),
                ms[ms.length - 1],
                hostileRead / 1e6 / seconds);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** One request on a new connection; true if a 200 answer came whole. */
    private static boolean bystander(InetSocketAddress server) {
        try (Socket s = new Socket()) {
            s.connect(server, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.getOutputStream().write(BYSTANDER);
            byte[] all = s.getInputStream().readAllBytes();
            String head = new String(all, 0, Math.min(all.length, 15), StandardCharsets.US_ASCII);
            return head.startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    private static void pipeliner(Socket s, AtomicBoolean stop) {
        try {
            OutputStream out = s.getOutputStream();
            while (!stop.get()) {
                out.write(PIPELINED);
            }
        } catch (IOException e) {
            // closed at the end of the run, or by the server
        }
    }

    private static void drain(Socket s, AtomicBoolean stop, AtomicLong bytes) {
        byte[] buf = new byte[1 << 16];
        try {
            InputStream in = s.getInputStream();
            for (int r; !stop.get() && (r = in.read(buf)) >= 0; ) {
                bytes.addAndGet(r);
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }

    /** Asks for a long chunked stream again and again, reading each to its end (the terminal chunk). */
    private static void streamer(Socket s, AtomicBoolean stop, AtomicLong bytes) {
        byte[] buf = new byte[1 << 16];
        byte[] end = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (!stop.get()) {
                out.write(LONG_STREAM);
                int matched = 0;
                outer:
                for (int r; (r = in.read(buf)) >= 0; ) {
                    bytes.addAndGet(r);
                    for (int i = 0; i < r; i++) {
                        matched = buf[i] == end[matched] ? matched + 1 : (buf[i] == end[0] ? 1 : 0);
                        if (matched == end.length) {
                            break outer;
                        }
                    }
                    if (stop.get()) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }
}
