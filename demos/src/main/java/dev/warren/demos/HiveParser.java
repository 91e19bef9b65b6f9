package dev.warren.demos;

import dev.warren.config.WarrenConfig;
import dev.warren.net.frame.FrameFormat;
import dev.warren.streaming.JobStats;
import dev.warren.streaming.KeyValue;
import dev.warren.streaming.Source;
import dev.warren.streaming.StreamJob;
import dev.warren.streaming.sink.Sinks;
import dev.warren.streaming.source.Sources;
import dev.warren.streaming.source.TcpFrameSource;
import dev.warren.streaming.source.UdpLineSource;
import dev.warren.streaming.window.Aggregators;
import dev.warren.streaming.window.Stats;
import dev.warren.streaming.window.WindowResult;
import dev.warren.tasklets.Tasklet;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./hiveparser}: trafilo's dashboard demo, done properly. Receives {@code KEY [VALUE [TIMESTAMP_MS]]}
 * lines over UDP (and framed TCP messages with {@code --tcp}), keeps per-key windows of count / sum / min /
 * max in a {@link StreamJob}, and shows a live dashboard (a terminal) or one summary line per second (not a
 * terminal). {@code --jsonl} writes every window emission as a JSON line; {@code --generate} sends load
 * to itself. SIGINT/SIGTERM drain the job, flush the final windows and print the totals; the exit code is
 * then 0.
 */
final class HiveParser {
    private HiveParser() {}

    static int run(String[] args) throws Exception {
        if (HiveParserKafka.wanted(args)) {
            return HiveParserKafka.run(args, System.out, System.err);
        }
        HiveParserOptions o;
        try {
            o = HiveParserOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("hiveparser: " + e.getMessage());
            System.err.println(HiveParserOptions.USAGE);
            return 2;
        }
        return new Session(o, System.out, System.err).run();
    }

    /** One run of the demo: the job, its sources, the generator, the display and the shutdown hook. */
    static final class Session {
        private final HiveParserOptions o;
        private final PrintStream out;
        private final PrintStream err;
        private final boolean dashboard;
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private final Map<String, WindowResult<String, Stats>> latest = new ConcurrentHashMap<>();
        /** The top keys of the last second, for the {@code top_keys} report the admin dashboard shows. */
        private volatile List<WindowResult<String, Stats>> lastTop = List.of();

        private volatile String lastParseError = "";
        private volatile int exitCode;

        Session(HiveParserOptions o, PrintStream out, PrintStream err) {
            this.o = o;
            this.out = out;
            this.err = err;
            // The dashboard only on a terminal, and never when the JSON lines go to stdout.
            this.dashboard = stdoutIsTerminal() && !"-".equals(o.jsonl());
        }

        int run() throws Exception {
            UdpLineSource udp = Sources.udpLines(null, o.port(), 8 << 20, Sources.DEFAULT_MAX_LINE);
            TcpFrameSource tcp =
                    o.tcpPort() >= 0 ? Sources.tcpFrames(o.tcpPort(), FrameFormat.buffStreams(4096)) : null;
            WarrenConfig config = ConfigOption.current();
            int shards = o.shards() > 0
                    ? o.shards()
                    : ConfigOption.sets("stream-jobs", "hiveparser", "shards")
                            ? config.config().getInt("warren.stream-jobs.hiveparser.shards")
                            : Math.max(1, Runtime.getRuntime().availableProcessors());
            StreamJob.Builder<KeyValue, Object, Void, Void> base = StreamJob.<KeyValue>builder("hiveparser");
            if (config.has("stream-jobs", "hiveparser")) {
                config.streamJob("hiveparser", base);
            }
            StreamJob.Builder<KeyValue, String, Void, Stats> b = base.source(udp)
                    .parse(KeyValue::parse)
                    .keyBy(KeyValue::key)
                    .shards(shards)
                    .window(o.windowSpec(), Aggregators.stats(KeyValue::value))
                    .sink(r -> latest.put(r.key(), r))
                    .onParseError(e ->
                            lastParseError = e.reason() + ": " + HiveDashboard.abbreviate(String.valueOf(e.raw())));
            if (tcp != null) {
                b.source(tcp);
            }
            if (o.eventTime()) {
                b.eventTime(HiveParser::timestamp, Duration.ofSeconds(1));
            }
            if (o.jsonl() != null) {
                if (o.jsonl().equals("-")) {
                    b.sink(Sinks.jsonLines(
                            new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))));
                } else {
                    try {
                        b.sink(Sinks.jsonLines(Path.of(o.jsonl())));
                    } catch (IOException e) {
                        err.println("hiveparser: cannot write --jsonl " + o.jsonl() + ": " + e.getMessage());
                        return 1;
                    }
                }
            }
            PrintStream info = "-".equals(o.jsonl()) ? err : out;
            StreamJob<KeyValue> job = b.start();
            // lives as long as the process: the report reads lastTop, refreshed once a second below
            dev.warren.tasklets.observe.Reports.register("top_keys", this::topKeysReport);
            int udpPort;
            int tcpPort = -1;
            try {
                udpPort = udp.awaitPort(Duration.ofSeconds(10));
                if (tcp != null) {
                    tcpPort = tcp.awaitPort(Duration.ofSeconds(10));
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                job.close();
                err.println("hiveparser: " + e.getMessage());
                return 1;
            }
            Thread hook = new Thread(this::onSignal, "hiveparser-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            info.println("hiveparser: listening on UDP port " + udpPort
                    + (tcp != null ? " and TCP port " + tcpPort + " (BuffStreams frames)" : "")
                    + ", " + shards + " shards, " + o.windowSpec() + (o.eventTime() ? ", event time" : "")
                    + (o.jsonl() != null ? ", windows to " + o.jsonl() : ""));
            info.flush();
            Tasklet<Void> generator = null;
            UdpLoadGenerator gen = null;
            if (o.rate() > 0) {
                gen = new UdpLoadGenerator(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort), o.rate(), o.keys(), 0);
                generator = gen.start(o.duration());
            }
            long startNanos = System.nanoTime();
            long deadline = o.duration() == null
                    ? Long.MAX_VALUE
                    : startNanos + o.duration().toNanos();
            long nextTick = startNanos + TimeUnit.SECONDS.toNanos(1);
            JobStats prev = job.stats();
            List<WindowResult<String, Stats>> top = List.of();
            TerminalScreen screen = null;
            while (true) {
                long now = System.nanoTime();
                long wait = Math.min(nextTick, deadline) - now;
                if (stop.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                    break;
                }
                now = System.nanoTime();
                if (now >= deadline) {
                    if (generator != null) {
                        generator.join(); // it stops at the same deadline; its last datagrams are still counted
                    }
                    break;
                }
                if (now >= nextTick) {
                    JobStats st = job.stats();
                    List<WindowResult<String, Stats>> t = HiveDashboard.topKeys(latest.values(), 10);
                    latest.clear();
                    if (!t.isEmpty()) {
                        top = t;
                        lastTop = t;
                    }
                    HiveDashboard.Frame frame = new HiveDashboard.Frame(
                            o.windowSpec().toString(),
                            o.eventTime(),
                            (now - startNanos) / 1e9,
                            st,
                            prev,
                            kernelDrops(udp),
                            lastParseError,
                            top);
                    if (dashboard) {
                        if (screen == null) {
                            screen = TerminalScreen.open(out);
                        }
                        screen.draw(HiveDashboard.dashboard(frame));
                    } else {
                        info.println(HiveDashboard.summaryLine(frame));
                    }
                    info.flush();
                    prev = st;
                    nextTick += TimeUnit.SECONDS.toNanos(1);
                }
            }
            if (generator != null) {
                generator.cancel();
                try {
                    generator.join();
                } catch (RuntimeException cancelled) {
                    // stopped early by a signal: what it sent is counted by the receiver
                }
            }
            if (screen != null) {
                screen.close(); // back to the normal screen, where the totals stay
            }
            job.close(); // drain the shards, flush every open window (to --jsonl too), free every state
            JobStats st = job.stats();
            long datagrams =
                    udp.receiverStats() == null ? 0 : udp.receiverStats().datagrams();
            info.println(HiveDashboard.totals(st, kernelDrops(udp), datagrams)
                    + (gen == null ? "" : " generated=" + gen.sent()));
            info.flush();
            out.flush();
            exitCode = 0;
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it ends the process with our exit code
            }
            return 0;
        }

        /** The shutdown hook: asks the main loop to stop, waits for the final flush, then exits 0. */
        private void onSignal() {
            stop.countDown();
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            err.flush();
            // A JVM ended by SIGTERM/SIGINT exits 143/130 after its hooks; a clean, flushed stop is success.
            Runtime.getRuntime().halt(exitCode);
        }

        /** The {@code top_keys} report: the keys with the highest rate in their latest window, with its values. */
        private Map<String, Object> topKeysReport() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("window", o.windowSpec().toString());
            List<Object> keys = new ArrayList<>();
            for (WindowResult<String, Stats> r : lastTop) {
                Map<String, Object> k = new java.util.LinkedHashMap<>();
                Stats v = r.value();
                k.put("key", r.key());
                k.put("rate", HiveDashboard.rate(r));
                k.put("count", v.count());
                k.put("sum", v.sum());
                k.put("min", v.min());
                k.put("max", v.max());
                keys.add(k);
            }
            m.put("keys", keys);
            return m;
        }
    }

    private static String kernelDrops(Source<?> udp) {
        long d = udp.upstreamDrops();
        return d < 0 ? "n/a" : Long.toString(d);
    }

    private static long timestamp(KeyValue kv) {
        if (kv.timestamp() == KeyValue.NO_TIMESTAMP) {
            throw new IllegalArgumentException("--event-time needs a TIMESTAMP_MS on every line");
        }
        return kv.timestamp();
    }

    /**
     * True when stdout is a terminal: {@code System.console()} is non-null, and, on JDK 22+ (where it may
     * be non-null for redirected streams), {@code Console.isTerminal()} says so.
     */
    // The null check is the JDK 21 answer; on 22+ Console.isTerminal() (called reflectively, as we compile
    // for 21) gives the real one, which is exactly what this check asks for.
    @SuppressWarnings("SystemConsoleNull")
    static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
