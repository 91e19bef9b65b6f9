package dev.warren.tests.soak;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.warren.net.frame.FrameFormat;
import dev.warren.net.frame.FrameReader;
import dev.warren.net.frame.FrameWriter;
import dev.warren.net.frame.MessageServer;
import dev.warren.net.http.HttpClient;
import dev.warren.net.http.HttpServer;
import dev.warren.net.http.Response;
import dev.warren.net.http.Router;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.source.UdpLineSource;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Windows;
import dev.warren.tasklets.Tasklet;
import dev.warren.tasklets.Tasklets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The soak run: every server Warren has, under mixed load at once on loopback, with hostile
 * connections every few seconds, sampled once a second; then everything is closed and must be released.
 *
 * <p>Load (paced, so that the machine is loaded but not saturated): HTTP keep-alive clients (GET and
 * POST with a checked echo), HTTP requests on new connections, framed echo clients checking every
 * echoed byte, a framed sink, and a stream job fed by UDP lines. Hostile, in turn: a slowloris (a
 * request head trickling one byte at a time, which the header timeout must cut), garbage frames
 * (which must close only that connection), a reset in the middle of a streamed response, and garbage
 * HTTP (a 400 and a close). Samples: heap after the last full GC (one is forced every 30 s), RSS,
 * open descriptors, live tasklets, carrier threads, HTTP latency p99, events per second, and the request
 * and frame rates. {@link SoakReport}
 * judges and draws them.
 *
 * <p>Run by {@code make soak [MINUTES=30]}; {@code SoakTest} runs a short one in {@code make run_tests}.
 */
public final class Soak {
    /** What to run and for how long. */
    public record Config(Duration duration, Duration hostileEvery, Path outDir) {}

    /** Everything that went wrong in the normal traffic, with a sample message per kind. */
    static final class Errors {
        final AtomicLong count = new AtomicLong();
        final Map<String, String> samples = new ConcurrentHashMap<>();

        void add(String where, Throwable t) {
            count.incrementAndGet();
            samples.putIfAbsent(where, String.valueOf(t));
        }

        void add(String where, String what) {
            count.incrementAndGet();
            samples.putIfAbsent(where, what);
        }
    }

    /** Latencies per second in 5 % buckets: record from any thread, the sampler drains once a second. */
    static final class Latency {
        private static final double STEP = Math.log(1.05);
        private final AtomicLongArray buckets = new AtomicLongArray(600);

        void record(long nanos) {
            int i = (int) (Math.log1p(nanos / 1_000.0) / STEP);
            buckets.incrementAndGet(Math.min(i, buckets.length() - 1));
        }

        /** The 99th percentile of what was recorded since the last call, in ms (0 if nothing). */
        double drainP99Millis() {
            long[] counts = new long[buckets.length()];
            long total = 0;
            for (int i = 0; i < counts.length; i++) {
                counts[i] = buckets.getAndSet(i, 0);
                total += counts[i];
            }
            if (total == 0) {
                return 0;
            }
            long want = (long) Math.ceil(total * 0.99);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= want) {
                    return Math.expm1((i + 1) * STEP) / 1_000.0;
                }
            }
            return Math.expm1(counts.length * STEP) / 1_000.0;
        }
    }

    static final int FULL_GC_EVERY_SECONDS = 30;

    private final Config config;
    private final Errors errors = new Errors();
    private final Latency latency = new Latency();
    private final AtomicLong httpRequests = new AtomicLong();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong udpLinesSent = new AtomicLong();
    private final AtomicLong sinkSent = new AtomicLong();
    private final Map<String, AtomicLong> hostile = new ConcurrentHashMap<>();
    private final AtomicReference<Double> heapAfterGcMb = new AtomicReference<>(0.0);
    private volatile boolean stopping;

    private Soak(Config config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        double minutes = 30;
        Path out = Path.of("docs/soak");
        double hostileSeconds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = positive("--minutes", args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--hostile-seconds" -> hostileSeconds = positive("--hostile-seconds", args[++i]);
                default -> {
                    System.err.println(
                            "usage: Soak [--minutes M] [--out DIR] [--hostile-seconds S]; unknown '" + args[i] + "'");
                    System.exit(2);
                }
            }
        }
        SoakReport report = run(new Config(
                Duration.ofMillis((long) (minutes * 60_000)), Duration.ofMillis((long) (hostileSeconds * 1000)), out));
        System.out.println(report.summary());
        System.exit(report.passed() ? 0 : 1);
    }

    private static double positive(String what, String v) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, was '" + v + "'");
        }
        if (!(d > 0)) {
            throw new IllegalArgumentException(what + " must be > 0, was " + v);
        }
        return d;
    }

    /** Runs a soak and writes its CSV, charts and summary into {@code config.outDir()}. */
    public static SoakReport run(Config config) throws Exception {
        return new Soak(config).run();
    }

    private SoakReport run() throws Exception {
        listenToGcs();
        System.gc();
        double heapAtStart = usedHeapMb();
        int socketsAtStart = openSockets();
        int taskletsAtStart = Tasklets.snapshot().size();

        Router router = Router.builder()
                .get("/hello", req -> Response.ok("hello\n"))
                .post("/echo", req -> Response.status(200).body(req.body(), "application/octet-stream"))
                .get("/stream", req -> {
                    int n = Integer.parseInt(req.queryParam("n"));
                    return Response.status(200).stream("text/plain", out -> {
                        byte[] line = "0123456789abcdef0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
                        for (int i = 0; i < n; i++) {
                            out.write(line);
                        }
                    });
                })
                .build();
        HttpServer http = HttpServer.builder()
                .name("soak-http")
                .bindAddress("127.0.0.1")
                .port(0)
                .handler(router)
                .headerTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofSeconds(10))
                .start();
        FrameFormat format = FrameFormat.buffStreams(65_536);
        MessageServer echo = MessageServer.builder()
                .name("soak-echo")
                .bindAddress("127.0.0.1")
                .format(format)
                .handler((c, payload) -> c.reply(payload))
                .start();
        MessageServer sink = MessageServer.builder()
                .name("soak-sink")
                .bindAddress("127.0.0.1")
                .format(format)
                .handler((c, payload) -> {})
                .start();
        AtomicLong windows = new AtomicLong();
        UdpLineSource udp = Sources.udpLines(java.net.InetAddress.getLoopbackAddress(), 0, 4 << 20, 8192);
        StreamJob<KeyValue> job = StreamJob.<KeyValue>builder("soak")
                .source(udp)
                .parse(KeyValue::parse)
                .keyBy(KeyValue::key)
                .shards(2)
                .window(Windows.tumbling(Duration.ofSeconds(1)), Aggregators.count())
                .sink(w -> windows.incrementAndGet())
                .start();
        int udpPort = udp.awaitPort(Duration.ofSeconds(10));

        List<Tasklet<?>> load = new ArrayList<>();
        HttpClient client =
                HttpClient.builder().readTimeout(Duration.ofSeconds(30)).build();
        for (int i = 0; i < 4; i++) {
            int id = i;
            load.add(Tasklets.start("soak-http-keepalive-" + i, () -> httpKeepAlive(client, http.port(), id)));
        }
        load.add(Tasklets.start("soak-http-new-connections", () -> httpNewConnections(http.port())));
        for (int i = 0; i < 2; i++) {
            int id = i;
            load.add(Tasklets.start("soak-frame-echo-" + i, () -> frameEcho(echo.port(), format, id)));
        }
        load.add(Tasklets.start("soak-frame-sink", () -> frameSink(sink.port(), format)));
        load.add(Tasklets.start("soak-udp", () -> udpLines(udpPort)));
        load.add(Tasklets.start("soak-hostile", () -> hostile(http.port(), echo.port())));

        List<SoakReport.Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + config.duration().toNanos();
        long lastEvents = 0;
        long lastRequests = 0;
        long lastFrames = 0;
        long next = start;
        long last = start;
        while (System.nanoTime() < end) {
            // once a second; after a stall (a busy machine) the next sample is a second later, no burst
            next = Math.max(next + 1_000_000_000L, System.nanoTime() + 500_000_000L);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait)); // the sampling period itself
            }
            if (samples.size() % FULL_GC_EVERY_SECONDS == FULL_GC_EVERY_SECONDS - 1) {
                System.gc(); // the live heap, for the heap-after-GC series (see listenToGcs)
            }
            long now = System.nanoTime();
            double dt = (now - last) / 1e9;
            last = now;
            long events = job.stats().eventsIn();
            long requests = httpRequests.get();
            long fr = frames.get();
            samples.add(new SoakReport.Sample(
                    (now - start) / 1e9,
                    heapAfterGcMb.get(),
                    rssMb(),
                    openFds(),
                    Tasklets.snapshot().size(),
                    carrierThreads(),
                    latency.drainP99Millis(),
                    Math.round((events - lastEvents) / dt),
                    Math.round((requests - lastRequests) / dt),
                    Math.round((fr - lastFrames) / dt),
                    errors.count.get(),
                    hostileTotal()));
            lastEvents = events;
            lastRequests = requests;
            lastFrames = fr;
        }

        stopping = true;
        for (Tasklet<?> t : load) {
            try {
                t.join(Duration.ofSeconds(30));
            } catch (java.util.concurrent.TimeoutException e) {
                errors.add("stop", "load tasklet " + t.name() + " did not stop within 30 s");
                t.cancel();
            } catch (RuntimeException e) {
                errors.add("load tasklet " + t.name(), e);
            }
        }
        // nothing silently lost: every UDP line sent was counted in or counted as dropped by the kernel,
        // every sink frame arrived
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline
                && (job.stats().eventsIn() + job.stats().upstreamDrops() < udpLinesSent.get()
                        || sink.stats().messagesIn() < sinkSent.get())) {
            Thread.sleep(10); // a bounded look at in-flight traffic arriving
        }
        long eventsIn = job.stats().eventsIn();
        long udpDrops = job.stats().upstreamDrops();
        if (eventsIn + udpDrops != udpLinesSent.get()) {
            errors.add(
                    "udp",
                    "sent " + udpLinesSent.get() + " lines, job counted " + eventsIn + " in and " + udpDrops
                            + " dropped by the kernel");
        }
        if (sink.stats().messagesIn() != sinkSent.get()) {
            errors.add(
                    "sink",
                    "sent " + sinkSent.get() + " frames, sink got "
                            + sink.stats().messagesIn());
        }
        client.close();
        job.close();
        http.close();
        echo.close();
        sink.close();

        // released: tasklets back to where they were, descriptors too, heap after a full GC
        long releaseDeadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < releaseDeadline
                && (Tasklets.snapshot().size() > taskletsAtStart || openSockets() > socketsAtStart)) {
            Thread.sleep(20); // a bounded look at asynchronous releases (descriptors freed at the next select)
        }
        System.gc();
        double heapAtEnd = usedHeapMb();
        SoakReport.Release release = new SoakReport.Release(
                taskletsAtStart,
                Tasklets.snapshot().size(),
                socketsAtStart,
                openSockets(),
                heapAtStart,
                heapAtEnd,
                eventsIn,
                udpDrops,
                windows.get(),
                describeSockets());
        SoakReport report = new SoakReport(
                config, samples, release, errors.count.get(), Map.copyOf(errors.samples), hostileCounts());
        report.write(config.outDir());
        return report;
    }

    // ---- normal traffic ----

    private void httpKeepAlive(HttpClient client, int port, int id) throws InterruptedException {
        SplittableRandom r = new SplittableRandom(id);
        long next = System.nanoTime();
        while (!stopping) {
            next = pace(next, 5_000_000L); // 200 requests/s per client
            long t0 = System.nanoTime();
            try {
                if (r.nextBoolean()) {
                    var resp = client.get("127.0.0.1", port, "/hello");
                    if (resp.status() != 200 || !resp.bodyString().equals("hello\n")) {
                        errors.add("http keep-alive GET", "got " + resp.statusLine());
                    }
                } else {
                    byte[] body = new byte[1 + r.nextInt(4000)];
                    r.nextBytes(body);
                    var resp = client.request("POST", "127.0.0.1", port, "/echo")
                            .body(body)
                            .send();
                    if (resp.status() != 200 || !Arrays.equals(resp.body(), body)) {
                        errors.add("http keep-alive POST", "got " + resp.statusLine() + ", echo differs");
                    }
                }
                latency.record(System.nanoTime() - t0);
                httpRequests.incrementAndGet();
            } catch (IOException e) {
                errors.add("http keep-alive", e);
            }
        }
    }

    private void httpNewConnections(int port) throws InterruptedException {
        byte[] request =
                "GET /hello HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        long next = System.nanoTime();
        while (!stopping) {
            next = pace(next, 20_000_000L); // 50 connections/s
            long t0 = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setSoTimeout(30_000);
                s.getOutputStream().write(request);
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                if (!answer.startsWith("HTTP/1.1 200") || !answer.endsWith("hello\n")) {
                    errors.add(
                            "http new connection",
                            "got '" + answer.lines().findFirst().orElse("") + "'");
                }
                latency.record(System.nanoTime() - t0);
                httpRequests.incrementAndGet();
            } catch (IOException e) {
                errors.add("http new connection", e);
            }
        }
    }

    private void frameEcho(int port, FrameFormat format, int id) throws InterruptedException {
        SplittableRandom r = new SplittableRandom(100 + id);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000); // generous: a busy shared machine stalls for seconds
            FrameWriter w = FrameWriter.of(s.getOutputStream(), format);
            FrameReader rd = FrameReader.of(s.getInputStream(), format);
            long next = System.nanoTime();
            while (!stopping) {
                next = pace(next, 2_000_000L); // 500 round trips/s per client
                byte[] payload = new byte[1 + r.nextInt(2000)];
                r.nextBytes(payload);
                w.write(payload);
                w.flush();
                byte[] back = rd.read();
                if (!Arrays.equals(payload, back)) {
                    errors.add("frame echo", "echo of " + payload.length + " bytes differs");
                }
                frames.incrementAndGet();
            }
        } catch (IOException e) {
            errors.add("frame echo", e);
        }
    }

    private void frameSink(int port, FrameFormat format) throws InterruptedException {
        byte[] payload = new byte[256];
        try (Socket s = new Socket("127.0.0.1", port)) {
            FrameWriter w = FrameWriter.of(s.getOutputStream(), format);
            long next = System.nanoTime();
            while (!stopping) {
                next = pace(next, 10_000_000L); // bursts of 50, 100 per second
                for (int i = 0; i < 50; i++) {
                    w.write(payload);
                }
                w.flush();
                sinkSent.addAndGet(50);
                frames.addAndGet(50);
            }
        } catch (IOException e) {
            errors.add("frame sink", e);
        }
    }

    private void udpLines(int port) throws InterruptedException {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        StringBuilder sb = new StringBuilder();
        long n = 0;
        try (DatagramChannel ch = DatagramChannel.open()) {
            long next = System.nanoTime();
            while (!stopping) {
                next = pace(next, 2_000_000L); // 20 lines per datagram, 10,000 lines/s
                sb.setLength(0);
                for (int i = 0; i < 20; i++, n++) {
                    sb.append('k').append(n % 200).append(' ').append(n % 7).append('\n');
                }
                ch.send(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)), to);
                udpLinesSent.addAndGet(20);
            }
        } catch (IOException e) {
            errors.add("udp", e);
        }
    }

    /** Sleeps until {@code next + period} and returns it; a late tasklet does not try to catch up. */
    private static long pace(long next, long period) throws InterruptedException {
        long now = System.nanoTime();
        long at = Math.max(next + period, now);
        long wait = at - now;
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait)); // pacing the load, not waiting for a result
        }
        return at;
    }

    // ---- hostile connections ----

    private void hostile(int httpPort, int echoPort) throws InterruptedException {
        SplittableRandom r = new SplittableRandom(7);
        long next = System.nanoTime();
        int turn = 0;
        while (!stopping) {
            next = pace(next, config.hostileEvery().toNanos());
            String only = System.getProperty("soak.debug.hostile");
            String kind = only != null
                    ? only
                    : switch (turn++ % 4) {
                        case 0 -> "slowloris";
                        case 1 -> "garbage frames";
                        case 2 -> "reset mid-response";
                        default -> "garbage http";
                    };
            try {
                boolean handled = switch (kind) {
                    case "slowloris" -> slowloris(httpPort);
                    case "garbage frames" -> garbageFrames(echoPort, r);
                    case "reset mid-response" -> resetMidResponse(httpPort);
                    default -> garbageHttp(httpPort, r);
                };
                hostile.computeIfAbsent(kind + (handled ? "" : " NOT HANDLED"), k -> new AtomicLong())
                        .incrementAndGet();
            } catch (IOException e) {
                hostile.computeIfAbsent(kind + " (io: " + e.getClass().getSimpleName() + ")", k -> new AtomicLong())
                        .incrementAndGet();
            }
        }
    }

    /** A request head one byte every 200 ms: the server's 2 s header timeout must close it. */
    private boolean slowloris(int port) throws IOException, InterruptedException {
        byte[] head =
                "GET /hello HTTP/1.1\r\nHost: slow\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long limit = System.nanoTime() + 8_000_000_000L;
            for (int i = 0; System.nanoTime() < limit; i = (i + 1) % head.length) {
                try {
                    out.write(head[i]);
                    out.flush();
                } catch (IOException closed) {
                    return true; // cut by the server
                }
                try {
                    int b = in.read();
                    if (b < 0) {
                        return true;
                    }
                    // the 408 answer: read it to its end
                    in.readAllBytes();
                    return true;
                } catch (SocketTimeoutException stillOpen) {
                    // keep trickling
                } catch (IOException reset) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A frame header declaring more than the maximum, then noise: the server must close the connection. */
    private boolean garbageFrames(int port, SplittableRandom r) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            byte[] noise = new byte[64];
            r.nextBytes(noise);
            noise[0] = (byte) 0xFF; // a varint continuing through the whole header
            noise[1] = (byte) 0xFF;
            noise[2] = (byte) 0xFF;
            noise[3] = (byte) 0xFF;
            s.getOutputStream().write(noise);
            try {
                return s.getInputStream().read() < 0; // closed, nothing answered
            } catch (IOException reset) {
                return true;
            }
        }
    }

    /** A large streamed response, reset by the client after a few KB. */
    private boolean resetMidResponse(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream()
                    .write("GET /stream?n=200000 HTTP/1.1\r\nHost: reset\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[4096];
            int got = s.getInputStream().read(buf);
            s.setSoLinger(true, 0); // RST on close
            return got > 0;
        }
    }

    /** Bytes that are not HTTP: a 400 and a close. */
    private boolean garbageHttp(int port, SplittableRandom r) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            byte[] noise = new byte[200];
            r.nextBytes(noise);
            noise[0] = 'G';
            noise[1] = '\n'; // a bare LF: rejected whatever follows
            s.getOutputStream().write(noise);
            try {
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                return answer.startsWith("HTTP/1.1 400");
            } catch (IOException reset) {
                return false;
            }
        }
    }

    private long hostileTotal() {
        long n = 0;
        for (AtomicLong v : hostile.values()) {
            n += v.get();
        }
        return n;
    }

    private Map<String, Long> hostileCounts() {
        Map<String, Long> m = new java.util.TreeMap<>();
        hostile.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    // ---- sampling ----

    /**
     * Heap in use right after each full collection, from the GC notifications. The sampler forces one
     * every {@link #FULL_GC_EVERY_SECONDS} s: after young collections the old generation also holds
     * garbage promoted since its last cycle, which creeps up for as long as G1 sees no reason to
     * collect it (hours at this heap size), and would look like a leak.
     */
    private void listenToGcs() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(
                        (n, handback) -> {
                            if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                                if (!info.getGcAction().contains("major")) {
                                    return; // after a young collection the old generation still holds garbage
                                }
                                long used = 0;
                                for (var u :
                                        info.getGcInfo().getMemoryUsageAfterGc().values()) {
                                    used += u.getUsed();
                                }
                                heapAfterGcMb.set(used / 1048576.0);
                            }
                        },
                        null,
                        null);
            }
        }
    }

    private static double usedHeapMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1; // not Linux: no RSS series
        }
        return -1;
    }

    static int openFds() {
        String[] fds = Path.of("/proc/self/fd").toFile().list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * Open network sockets (TCP, UDP, or a socket no table lists): what the servers and clients own.
     * Jar files the JVM opens as it loads classes stay open, and the JDK keeps a Unix-domain socket of
     * its own once it has made one, so the release check counts these, not all descriptors.
     */
    static int openSockets() {
        int n = 0;
        for (String s : describeSockets()) {
            if (!s.contains(": unix") && !s.contains(": netlink")) {
                n++;
            }
        }
        return n;
    }

    /** The open sockets as /proc/net describes them ("fd N: tcp 0100007F:port -> ...:port state 0A"). */
    static List<String> describeSockets() {
        Map<String, String> byInode = new java.util.HashMap<>();
        for (String table : new String[] {"tcp", "tcp6", "udp", "udp6", "unix", "netlink"}) {
            try {
                List<String> lines = Files.readAllLines(Path.of("/proc/net/" + table));
                for (String line : lines.subList(1, lines.size())) {
                    List<String> f = java.util.Arrays.stream(line.trim().split("\\s+", -1))
                            .toList();
                    if (table.equals("unix") && f.size() > 6) {
                        byInode.put(f.get(6), "unix " + (f.size() > 7 ? f.get(7) : "(unnamed)"));
                    } else if (table.equals("netlink") && f.size() > 9) {
                        byInode.put(f.get(9), "netlink");
                    } else if (f.size() > 9) {
                        byInode.put(
                                f.get(9),
                                table + " " + hostPort(f.get(1)) + " -> " + hostPort(f.get(2)) + " state " + f.get(3));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the table vanished: describe what we can
            }
        }
        List<String> out = new ArrayList<>();
        java.io.File[] fds = Path.of("/proc/self/fd").toFile().listFiles();
        if (fds != null) {
            for (java.io.File f : fds) {
                try {
                    String link = Files.readSymbolicLink(f.toPath()).toString();
                    if (link.startsWith("socket:[")) {
                        String inode = link.substring(8, link.length() - 1);
                        out.add("fd " + f.getName() + ": " + byInode.getOrDefault(inode, "socket inode " + inode));
                    }
                } catch (IOException closedMeanwhile) {
                    // closed while we looked
                }
            }
        }
        return out;
    }

    private static String hostPort(String hex) {
        int colon = hex.indexOf(':');
        return hex.substring(0, colon) + ":" + Integer.parseInt(hex.substring(colon + 1), 16);
    }

    /** Platform threads of the virtual-thread scheduler (ForkJoinPool workers). */
    static int carrierThreads() {
        int n = 0;
        var mx = ManagementFactory.getThreadMXBean();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null
                    && t.getThreadName().startsWith("ForkJoinPool-")
                    && t.getThreadName().contains("worker")) {
                n++;
            }
        }
        return n;
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.3f", d);
    }
}
